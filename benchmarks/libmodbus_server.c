/* libmodbus's own Modbus TCP server, for benchmarks/hil_bench.py: the C anchor of issue #7.
 *
 * Listens on 127.0.0.1 on a free port, prints the port on stdout, and answers every client from a
 * modbus_mapping_t of 16 addresses per table (units are not checked, as a TCP gateway would not), with
 * select() over the listening socket and the clients so several clients may connect at once. Stops on
 * SIGTERM. Built by hil_bench.py with the system's C compiler when libmodbus's headers are installed
 * (Debian: libmodbus-dev).
 */
#include <arpa/inet.h>
#include <modbus.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

static volatile sig_atomic_t stopping = 0;

static void on_term(int signal_number) {
    (void)signal_number;
    stopping = 1;
}

int main(void) {
    modbus_t *context = modbus_new_tcp("127.0.0.1", 0);
    modbus_mapping_t *mapping = modbus_mapping_new(16, 16, 16, 16);
    uint8_t query[MODBUS_TCP_MAX_ADU_LENGTH];
    if (context == NULL || mapping == NULL) {
        fprintf(stderr, "libmodbus: cannot allocate\n");
        return 1;
    }
    int listening = modbus_tcp_listen(context, 16);
    if (listening < 0) {
        fprintf(stderr, "libmodbus: cannot listen\n");
        return 1;
    }
    struct sockaddr_in address;
    socklen_t length = sizeof(address);
    getsockname(listening, (struct sockaddr *)&address, &length);
    printf("%d\n", ntohs(address.sin_port));
    fflush(stdout);
    signal(SIGTERM, on_term);

    fd_set open_sockets;
    FD_ZERO(&open_sockets);
    FD_SET(listening, &open_sockets);
    int highest = listening;
    while (!stopping) {
        fd_set ready = open_sockets;
        if (select(highest + 1, &ready, NULL, NULL, NULL) < 0) {
            break; /* interrupted by SIGTERM */
        }
        for (int fd = 0; fd <= highest; fd++) {
            if (!FD_ISSET(fd, &ready)) {
                continue;
            }
            if (fd == listening) {
                int server = listening;
                int accepted = modbus_tcp_accept(context, &server);
                if (accepted >= 0) {
                    FD_SET(accepted, &open_sockets);
                    if (accepted > highest) {
                        highest = accepted;
                    }
                }
                continue;
            }
            modbus_set_socket(context, fd);
            int received = modbus_receive(context, query);
            if (received > 0) {
                modbus_reply(context, query, received, mapping);
            } else if (received < 0) {
                close(fd);
                FD_CLR(fd, &open_sockets);
            }
        }
    }
    modbus_mapping_free(mapping);
    modbus_free(context);
    return 0;
}
