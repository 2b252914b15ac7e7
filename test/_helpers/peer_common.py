"""What the python3 test peers (abuse_peer.py, net_peers.py) share: closing with a reset,
and datagrams with a forged source address. Standard library only."""

import random
import socket
import struct


def rst_close(sock):
    """Closes with a reset instead of a FIN: SO_LINGER on, zero seconds."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    sock.close()


def internet_checksum(data):
    """The ones' complement sum of 16-bit words that IPv4 and UDP headers carry."""
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def forged_udp_packet(src_host, src_port, dst_host, dst_port, payload):
    """An IPv4 packet carrying one UDP datagram that claims to come from src_host:src_port,
    checksums included, for a raw socket with IP_HDRINCL."""
    src, dst = socket.inet_aton(src_host), socket.inet_aton(dst_host)
    length = 8 + len(payload)
    pseudo = src + dst + struct.pack("!BBH", 0, socket.IPPROTO_UDP, length)
    unsummed = struct.pack("!HHHH", src_port, dst_port, length, 0) + payload
    # A computed checksum of 0 is sent as 0xFFFF: 0 would mean "no checksum".
    udp = struct.pack("!HHHH", src_port, dst_port, length, internet_checksum(pseudo + unsummed) or 0xFFFF) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + length, random.getrandbits(16), 0, 64, socket.IPPROTO_UDP, 0,
                     src, dst)
    ip = ip[:10] + struct.pack("!H", internet_checksum(ip)) + ip[12:]
    return ip + udp


def raw_ipv4_socket():
    """A raw socket that sends whole IPv4 packets (needs root: CAP_NET_RAW)."""
    raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    raw.setsockopt(socket.IPPROTO_IP, socket.IP_HDRINCL, 1)
    return raw
