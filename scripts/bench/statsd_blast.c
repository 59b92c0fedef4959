/* A statsd UDP blaster that is not the limit: sends one prebuilt datagram of many lines
 * (counters, gauges and timers over METRICS names) in a loop for SECONDS, then prints how
 * many datagrams and lines it sent. Used by scripts/bench/statsd.sh.
 *
 *   cc -O2 -o statsd_blast statsd_blast.c && ./statsd_blast PORT SECONDS [METRICS] [BYTES]
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: %s PORT SECONDS [METRICS] [BYTES]\n", argv[0]); return 2; }
    int port = atoi(argv[1]);
    double seconds = atof(argv[2]);
    int metrics = argc > 3 ? atoi(argv[3]) : 1000;
    int size = argc > 4 ? atoi(argv[4]) : 8192;
    static char datagram[65536];
    int length = 0, lines = 0, index = 0;
    static const char *types[] = {"c", "c|@0.5", "g", "ms"};
    for (;;) {
        char line[128];
        int n = snprintf(line, sizeof line, "bench.metric.%d:%d.%d|%s\n", index % metrics, index % 1000,
                         index % 10, types[index % 4]);
        if (length + n > size) break;
        memcpy(datagram + length, line, n);
        length += n;
        lines += 1;
        index += 1;
    }
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in address = {0};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&address, sizeof address) != 0) { perror("connect"); return 1; }
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    long sent = 0;
    for (;;) {
        for (int burst = 0; burst < 64; burst++) {
            if (send(fd, datagram, length, 0) == length) sent++;
        }
        clock_gettime(CLOCK_MONOTONIC, &now);
        double elapsed = (now.tv_sec - start.tv_sec) + (now.tv_nsec - start.tv_nsec) / 1e9;
        if (elapsed >= seconds) {
            printf("%ld datagrams %ld lines %.2f s %d lines/datagram %d bytes\n", sent, sent * lines, elapsed, lines,
                   length);
            return 0;
        }
    }
}
