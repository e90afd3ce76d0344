export type { PackageEntry, PackageEntryType, PackageLimits } from './entry.ts';
export { DEFAULT_MAX_ENTRY_SIZE, DEFAULT_MAX_HEADER_SIZE, DEFAULT_MAX_INDEX_ENTRIES } from './entry.ts';
export { readRpm, type RpmPackage, type RpmPackageHeader, type ReadRpmOptions } from './read-rpm.ts';
export { decodeRpmLead, decodeRpmHeader, decodeRpmHeaderIntro, RPM_LEAD_SIZE, RPM_TYPE, type RpmHeader, type RpmIndexEntry, type RpmLead, type RpmValue } from './rpm-header.ts';
export { RPMTAG, RPMFILE_GHOST, rpmFiles, type RpmFileInfo } from './rpm-tags.ts';
export { readDeb, parseControl, type DebPackage, type ReadDebOptions } from './read-deb.ts';
export { readAr, decodeArHeader, AR_MAGIC, AR_HEADER_SIZE, type ArHeader, type ArMember } from './ar.ts';
export { readTar, type ReadTarOptions } from './tar.ts';
export type { PayloadCompression } from './payload.ts';
