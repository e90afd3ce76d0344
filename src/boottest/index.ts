export { bootTest, bootWith, bootTestKernel, bootTestBuild, bootTestIso, checksFromManifest, writeProbeInitrd, type BootTestOptions, type BootRun, type BootTestResult } from './boot-test.ts';
export { probeScript, probeEntries, PROBE_PREFIX, type ProbeChecks } from './probe.ts';
export { judgeLog, probedCmdline, type CheckResult } from './verdict.ts';
export { runQemu, qemuArgs, type BootPhase, type Firmware, type QemuTarget, type QemuOptions, type QemuRun } from './qemu.ts';
export { bootTestTftp, type BootTestTftpOptions } from './tftp.ts';
