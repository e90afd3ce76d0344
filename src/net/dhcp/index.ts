export { decodeDhcpPacket, encodeDhcpPacket, DHCP_HEADER_SIZE, DHCP_MAGIC_COOKIE, DHCP_MIN_MESSAGE_SIZE, type DhcpPacket, type EncodeDhcpOptions } from './packet.ts';
export { DHCP_OPTION, DHCP_MESSAGE, PXE_DISCOVERY_CONTROL, PXE_DISCOVERY_USE_BOOTFILE, dhcpMessageName, dhcpMessageType, optionText, optionUint16List, optionAddress, addressBytes, textBytes, encodeSubOptions, decodeSubOptions } from './options.ts';
export { classifyDhcpClient, clientMac, type ClientArch, type ClientNii, type DhcpClient } from './pxe.ts';
export { decideProxyReply, buildProxyReply, type BootAnswer, type BootPolicy, type Peer, type ProxyDecision, type ProxyPort, type ProxyReplyConfig } from './proxy-reply.ts';
export { startProxyDhcp, type ProxyDhcpEvent, type ProxyDhcpOptions, type ProxyDhcpServer } from './proxy.ts';
