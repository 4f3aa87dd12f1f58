import Glibc
import virsh_shell

// virsh with `migrate --local` (patch 1 of the local migration series).
exit(await VirshMain.main(arguments: CommandLine.arguments))
