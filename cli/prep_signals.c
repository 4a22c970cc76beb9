/* prep_signals.c — Ctrl-C and kill during prep: the first SIGINT/SIGTERM
 * asks the pipeline to start no new file and to finish (and publish) the
 * ones in flight, so that nothing is lost and no temporary is left; the
 * summary then says what was done and what was not started, and prep
 * exits 128 + the signal (130, 143), as a shell expects. A second signal
 * exits at once: the temporaries of the files then in flight are removed
 * by the next run in that directory (their process is gone). */
#include "prep.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>

static volatile int stop_flag;
static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
    if (stop_flag)
        _exit(128 + sig);
    stop_signal = sig;
    stop_flag = 1;
    static const char msg[] = "\naiaprep prep: interrupted: finishing the files in flight (again to quit at "
                              "once)\n";
    const ssize_t ignored = write(STDERR_FILENO, msg, sizeof msg - 1);
    (void)ignored;
}

volatile int *prep_catch_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESTART; /* reads and writes in flight go on */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    return &stop_flag;
}

int prep_stop_signal(void) { return stop_signal; }
