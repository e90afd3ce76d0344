export {
  CPIO_ALIGN,
  CPIO_HEADER_SIZE,
  CPIO_MAGIC_CRC,
  CPIO_MAGIC_NEWC,
  CPIO_TRAILER_NAME,
  decodeCpioHeader,
  encodeCpioHeader,
  type CpioHeader,
  type CpioMagic,
} from './header.ts';
export { readCpio, decodeName, looksLikeCpio, DEFAULT_MAX_NAME_SIZE, type CpioEntry, type CpioLimits, type CpioReadStats, type ReadCpioOptions } from './read.ts';
export { writeCpio, fitsCpio, type CpioWriteEntry, type CpioWriteHeader, type WriteCpioOptions } from './write.ts';
export { S_IFMT, S_IFREG, S_IFDIR, S_IFLNK, S_IFCHR, S_IFBLK, S_IFIFO, S_IFSOCK, typeOfMode, modeBitsOf, formatMode, type EntryType } from './mode.ts';
