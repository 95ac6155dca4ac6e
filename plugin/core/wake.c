#include "wake.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* Mosquitto 2.1 takes SIGRTMIN (log rotation); glibc keeps two below it. */
#define WAKE_SIGNAL (SIGRTMAX - 7)
/* While the broker's thread owes a TICK: one signal this often. */
#define WAKE_PERIOD_NS (1000 * 1000)

#ifndef sigev_notify_thread_id
#define sigev_notify_thread_id _sigev_un._tid
#endif

/*
 * A timer of the kernel's sends the signal to the broker's thread itself
 * (SIGEV_THREAD_ID): no thread of the plugin has to be scheduled for it,
 * which matters on a loaded machine. Armed when something is owed, it fires
 * at once and then every WAKE_PERIOD_NS until a TICK finds nothing owed.
 */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned users;			/* started instances (lock) */
static timer_t timer;
static atomic_bool running;
static atomic_uint_fast64_t queued;	/* eb_wake_request calls so far */
static atomic_uint_fast64_t taken;	/* of those, the ones a TICK has begun to take */
static atomic_bool flush;		/* the last TICK published: the loop's top must come round */

static void on_wake(int sig)
{
	(void)sig; /* interrupting the broker's wait is all */
}

static bool owed(void)
{
	return atomic_load(&queued) != atomic_load(&taken) || atomic_load(&flush);
}

static void arm(long first_ns)
{
	struct itimerspec on = {.it_interval = {0, WAKE_PERIOD_NS}, .it_value = {0, first_ns}};
	timer_settime(timer, 0, &on, NULL);
}

static void disarm(void)
{
	struct itimerspec off;
	memset(&off, 0, sizeof(off));
	timer_settime(timer, 0, &off, NULL);
}

bool eb_wake_start(void)
{
	pthread_mutex_lock(&lock);
	if (users > 0) {
		users++;
		pthread_mutex_unlock(&lock);
		return true;
	}
	struct sigaction old;
	bool ok = sigaction(WAKE_SIGNAL, NULL, &old) == 0 && !(old.sa_flags & SA_SIGINFO) &&
		  (old.sa_handler == SIG_DFL || old.sa_handler == SIG_IGN || old.sa_handler == on_wake);
	if (ok) {
		struct sigaction sa;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_wake;
		sa.sa_flags = SA_RESTART;
		sigemptyset(&sa.sa_mask);
		ok = sigaction(WAKE_SIGNAL, &sa, NULL) == 0;
	}
	if (ok) {
		struct sigevent ev;
		memset(&ev, 0, sizeof(ev));
		ev.sigev_notify = SIGEV_THREAD_ID;
		ev.sigev_signo = WAKE_SIGNAL;
		ev.sigev_notify_thread_id = (pid_t)syscall(SYS_gettid); /* the broker's thread: the caller */
		ok = timer_create(CLOCK_MONOTONIC, &ev, &timer) == 0;
		if (!ok)
			signal(WAKE_SIGNAL, SIG_IGN);
	}
	if (ok) {
		users = 1;
		atomic_store(&flush, false);
		atomic_store(&taken, atomic_load(&queued));
		atomic_store(&running, true);
	}
	pthread_mutex_unlock(&lock);
	return ok;
}

void eb_wake_stop(void)
{
	pthread_mutex_lock(&lock);
	if (users == 0 || --users > 0) {
		pthread_mutex_unlock(&lock);
		return;
	}
	atomic_store(&running, false);
	timer_delete(timer);
	/*
	 * Ignored from now on, not the default (which ends the process): no
	 * signal is sent any more, and one still pending is dropped before the
	 * plugin's code, and the handler with it, may be unloaded.
	 */
	signal(WAKE_SIGNAL, SIG_IGN);
	pthread_mutex_unlock(&lock);
}

void eb_wake_request(void)
{
	atomic_fetch_add(&queued, 1);
	if (atomic_load(&running))
		arm(1); /* at once */
}

uint64_t eb_wake_tick_begin(void)
{
	return atomic_load(&queued);
}

void eb_wake_tick_end(uint64_t begun, bool published)
{
	atomic_store(&taken, begun);
	atomic_store(&flush, published);
	if (!atomic_load(&running))
		return;
	if (published) {
		/* After the broker's thread has gone back to its wait: it is not there yet. */
		arm(WAKE_PERIOD_NS);
		return;
	}
	disarm();
	/* A request between the test and the disarming must not be lost: it armed before its count was seen. */
	if (owed())
		arm(1);
}
