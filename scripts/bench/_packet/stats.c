/*
 * The benchmark's baseline: a plain C loop over a pcap file (little-endian, Ethernet)
 * computing the counts `anynet pcap stats` computes: packets, bytes, protocols, first and
 * last timestamp, distinct flows with their packets and bytes, and the ten largest. The
 * file is memory-mapped (no copy), the flow table is unbounded, and there are no checks
 * of the file's structure, no other link types or formats and no error reporting: the
 * least work that gives the same numbers, to measure how close anynet comes to it.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#define KEY 38
/* Each flow's key, then its packets and bytes. */
#define ENTRY (KEY + 2 + 16)
static uint8_t *keys;
static uint8_t *used;
static size_t cap = 1 << 16, nflows = 0;

static uint32_t hash(const uint8_t *k) {
  uint32_t h = 0x811c9dc5;
  for (int i = 0; i < KEY; i++) h = (h ^ k[i]) * 0x01000193;
  return h;
}
static uint64_t *counts(uint8_t *e) { return (uint64_t *)(e + KEY + 2); }
static void add_flow(const uint8_t *k, uint64_t packets, uint64_t bytes);
static void grow(void) {
  uint8_t *ok = keys, *ou = used;
  size_t oc = cap;
  cap *= 2;
  keys = calloc(cap, ENTRY);
  used = calloc(cap, 1);
  nflows = 0;
  for (size_t s = 0; s < oc; s++) {
    if (ou[s]) add_flow(ok + s * ENTRY, counts(ok + s * ENTRY)[0], counts(ok + s * ENTRY)[1]);
  }
  free(ok);
  free(ou);
}
static void add_flow(const uint8_t *k, uint64_t packets, uint64_t bytes) {
  size_t s = hash(k) & (cap - 1);
  while (used[s]) {
    uint8_t *e = keys + s * ENTRY;
    if (memcmp(e, k, KEY) == 0) {
      counts(e)[0] += packets;
      counts(e)[1] += bytes;
      return;
    }
    s = (s + 1) & (cap - 1);
  }
  used[s] = 1;
  memcpy(keys + s * ENTRY, k, KEY);
  counts(keys + s * ENTRY)[0] = packets;
  counts(keys + s * ENTRY)[1] = bytes;
  if (++nflows * 2 > cap) grow();
}

/* Ranks as anynet's top list does: more bytes, then more packets. */
static int larger(uint8_t *a, uint8_t *b) {
  if (counts(a)[1] != counts(b)[1]) return counts(a)[1] > counts(b)[1];
  return counts(a)[0] > counts(b)[0];
}

static inline uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t le32(const uint8_t *p) { return (uint32_t)p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }

int main(int argc, char **argv) {
  if (argc != 2) return 2;
  int fd = open(argv[1], O_RDONLY);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) < 0) return 1;
  const uint8_t *f = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
  if (f == MAP_FAILED) return 1;
  keys = calloc(cap, ENTRY);
  used = calloc(cap, 1);
  uint64_t packets = 0, bytes = 0, captured = 0, c[12] = {0};
  uint64_t first = UINT64_MAX, last = 0;
  size_t o = 24, end = (size_t)st.st_size;
  uint8_t k[KEY];
  while (o + 16 <= end) {
    uint32_t caplen = le32(f + o + 8), len = le32(f + o + 12);
    if (o + 16 + caplen > end) break;
    uint64_t ts = (uint64_t)le32(f + o) * 1000000 + le32(f + o + 4);
    if (ts < first) first = ts;
    if (ts > last) last = ts;
    const uint8_t *p = f + o + 16;
    o += 16 + caplen;
    packets++;
    bytes += len;
    captured += caplen;
    if (caplen < 14) continue;
    c[0]++;
    uint32_t type = be16(p + 12), l3 = 14;
    if (type == 0x8100 || type == 0x88a8) {
      c[1]++;
      while ((type == 0x8100 || type == 0x88a8) && l3 + 4 <= caplen) { type = be16(p + l3 + 2); l3 += 4; }
    }
    uint32_t proto, l4, alen, sa, da;
    int frag = 0;
    memset(k, 0, KEY);
    if (type == 0x0806) { c[2]++; continue; }
    if (type == 0x0800 && l3 + 20 <= caplen) {
      c[3]++;
      uint32_t hl = (p[l3] & 15) * 4;
      proto = p[l3 + 9];
      l4 = l3 + hl;
      frag = (be16(p + l3 + 6) & 0x1fff) != 0;
      k[0] = 4; alen = 4; sa = l3 + 12; da = l3 + 16;
    } else if (type == 0x86dd && l3 + 40 <= caplen) {
      c[4]++;
      proto = p[l3 + 6];
      l4 = l3 + 40;
      k[0] = 6; alen = 16; sa = l3 + 8; da = l3 + 24;
    } else continue;
    k[1] = (uint8_t)proto;
    uint32_t sp = 0, dp = 0;
    if (!frag && (proto == 6 || proto == 17) && l4 + 8 <= caplen) {
      sp = be16(p + l4);
      dp = be16(p + l4 + 2);
      if (proto == 6 && l4 + 20 <= caplen) {
        c[5]++;
        uint32_t pay = l4 + (p[l4 + 12] >> 4) * 4;
        if (pay + 6 <= caplen && p[pay] == 0x16 && p[pay + 1] == 3 && p[pay + 5] == 1) c[10]++;
        else if (pay + 4 <= caplen && (!memcmp(p + pay, "GET ", 4) || !memcmp(p + pay, "POST", 4))) c[11]++;
      } else if (proto == 17) {
        c[6]++;
        if ((sp == 53 || dp == 53) && l4 + 20 <= caplen) c[9]++;
      }
    } else if (proto == 1) c[7]++;
    else if (proto == 58) c[8]++;
    int cmp = memcmp(p + sa, p + da, alen);
    if (cmp == 0) cmp = (int)sp - (int)dp;
    if (cmp > 0) { uint32_t t = sa; sa = da; da = t; t = sp; sp = dp; dp = t; }
    memcpy(k + 2, p + sa, alen);
    memcpy(k + 20, p + da, alen);
    k[18] = sp >> 8; k[19] = sp & 255; k[36] = dp >> 8; k[37] = dp & 255;
    add_flow(k, 1, len);
  }
  uint8_t *top[10];
  int ntop = 0;
  for (size_t s = 0; s < cap; s++) {
    if (!used[s]) continue;
    uint8_t *e = keys + s * ENTRY;
    int i = ntop < 10 ? ntop++ : 10;
    while (i > 0 && larger(e, top[i - 1])) {
      if (i < 10) top[i] = top[i - 1];
      i--;
    }
    if (i < 10) top[i] = e;
  }
  printf("{\"packets\":%lu,\"bytes\":%lu,\"capturedBytes\":%lu,\"protocols\":{\"ethernet\":%lu,\"vlan\":%lu,\"arp\":%lu,"
         "\"ipv4\":%lu,\"ipv6\":%lu,\"tcp\":%lu,\"udp\":%lu,\"icmp\":%lu,\"icmp6\":%lu,\"dns\":%lu,\"tls\":%lu,\"http\":%lu},"
         "\"flows\":%zu,\"firstMicros\":%lu,\"lastMicros\":%lu,\"topFlows\":[",
         packets, bytes, captured, c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9], c[10], c[11], nflows,
         first, last);
  for (int i = 0; i < ntop; i++) {
    printf("%s{\"packets\":%lu,\"bytes\":%lu}", i ? "," : "", counts(top[i])[0], counts(top[i])[1]);
  }
  printf("]}\n");
  return 0;
}
