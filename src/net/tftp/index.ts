export {
  decodeTftpPacket, encodeTftpPacket, TFTP_OPCODE, TFTP_ERROR, TFTP_DEFAULT_BLKSIZE, TFTP_MIN_BLKSIZE,
  TFTP_MAX_BLKSIZE, TFTP_MAX_PACKET_SIZE, TFTP_MAX_OPTIONS, TFTP_DATA_HEADER_SIZE,
  type TftpPacket, type TftpOption, type TftpRequestPacket, type TftpDataPacket, type TftpAckPacket, type TftpErrorPacket, type TftpOackPacket,
} from './packet.ts';
export { negotiateTftpOptions, TFTP_ETHERNET_BLKSIZE, TFTP_DEFAULT_MAX_WINDOWSIZE, TFTP_MAX_WINDOWSIZE, TFTP_DEFAULT_MAX_TIMEOUT_MS, type TftpNegotiation, type TftpNegotiationLimits } from './options.ts';
export { normalizeTftpPath } from './path.ts';
export {
  startReadTransfer, TftpReadTransfer, SYSTEM_CLOCK, TFTP_DEFAULT_TIMEOUT_MS, TFTP_DEFAULT_MAX_RETRIES, TFTP_READ_AHEAD_BYTES,
  type TftpSource, type TftpTransferSocket, type TftpClock, type TftpRetransmitOptions, type TftpTransferOutcome, type TftpTransferResult, type TftpReadTransferOptions,
} from './transfer.ts';
export {
  createTftpServer, TFTP_PORT, TFTP_DEFAULT_MAX_TRANSFERS,
  type TftpServer, type TftpServerOptions, type TftpCloseOptions, type TftpOpenRequest, type TftpRemote, type TftpTransferEvent, type TftpEventOutcome,
} from './server.ts';
