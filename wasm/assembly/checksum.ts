/**
 * The Internet checksum (RFC 1071): the 16-bit one's complement of the one's complement
 * sum of the data taken as big-endian 16-bit words, an odd last byte padded with zero.
 *
 * Returns the checksum field value to store; over data that already holds a correct
 * checksum field the result is 0.
 */
export function internetChecksum(ptr: usize, len: i32): u32 {
  let sum: u64 = 0;
  let i: i32 = 0;
  // Eight bytes a step: the big-endian words are added as two 32-bit halves so no
  // carries are lost before the final fold.
  for (; i + 8 <= len; i += 8) {
    const v = bswap<u64>(load<u64>(ptr + <usize>i));
    sum += (v >> 32) + (v & 0xffffffff);
  }
  for (; i + 2 <= len; i += 2) {
    sum += <u64>bswap<u16>(load<u16>(ptr + <usize>i));
  }
  if (i < len) sum += <u64>load<u8>(ptr + <usize>i) << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return <u32>(~sum & 0xffff);
}
