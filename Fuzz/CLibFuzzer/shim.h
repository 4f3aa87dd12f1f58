/* libFuzzer's driver, for fuzz targets that have their own main (SwiftPM
 * executables do): the runtime -sanitize=fuzzer links provides it
 * (compiler-rt's FuzzerInterface.h). */
#ifndef LM_CLIBFUZZER_SHIM_H
#define LM_CLIBFUZZER_SHIM_H
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv,
                        int (*UserCb)(const uint8_t *Data, size_t Size));
#endif
