/* The C reference for the 1 GiB loopback transfer (bench/transfer.sh): blocking sockets, one 64 KiB
 * buffer, nothing else. The fastest plain way to move bytes through loopback, which aio is measured
 * against.
 *
 *   transfer_ref sink PORT         accept one connection on 127.0.0.1:PORT, read to EOF, print
 *                                  "bytes=<n> elapsed_s=<s>" (first byte to EOF)
 *   transfer_ref send PORT BYTES   connect, write BYTES in 64 KiB writes, close
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { chunk = 65536 };

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct sockaddr_in loopback(int port) {
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = htons((unsigned short)port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

static int sink(int port) {
  int one = 1;
  int l = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = loopback(port);
  setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(l, (struct sockaddr*)&a, sizeof a) != 0 || listen(l, 1) != 0) {
    perror("listen");
    return 1;
  }
  fprintf(stderr, "ready\n");
  int c = accept(l, NULL, NULL);
  static char buf[chunk];
  long long total = 0;
  double start = 0;
  for (;;) {
    ssize_t n = read(c, buf, sizeof buf);
    if (n < 0) {
      perror("read");
      return 1;
    }
    if (n == 0) break;
    if (total == 0) start = now();
    total += n;
  }
  printf("bytes=%lld elapsed_s=%.6f\n", total, now() - start);
  close(c);
  close(l);
  return 0;
}

static int send_bytes(int port, long long bytes) {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = loopback(port);
  if (connect(s, (struct sockaddr*)&a, sizeof a) != 0) {
    perror("connect");
    return 1;
  }
  static char buf[chunk];
  memset(buf, 'x', sizeof buf);
  while (bytes > 0) {
    size_t want = bytes < chunk ? (size_t)bytes : chunk;
    ssize_t n = write(s, buf, want);
    if (n <= 0) {
      perror("write");
      return 1;
    }
    bytes -= n;
  }
  close(s);
  return 0;
}

int main(int argc, char** argv) {
  if (argc == 3 && strcmp(argv[1], "sink") == 0) return sink(atoi(argv[2]));
  if (argc == 4 && strcmp(argv[1], "send") == 0) return send_bytes(atoi(argv[2]), atoll(argv[3]));
  fprintf(stderr, "usage: %s sink PORT | send PORT BYTES\n", argv[0]);
  return 2;
}
