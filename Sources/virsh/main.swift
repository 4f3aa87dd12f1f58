import Glibc

// virsh with `migrate --local` (patch 1 of the local migration series).
Signals.install()
let status = await VirshMain.run(Control(), CommandLine.arguments)
exit(status)
