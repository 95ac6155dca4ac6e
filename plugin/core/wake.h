/*
 * wake: gets the broker's loop to run the plugin's TICK soon after another
 * thread queued something for it (the TWC link thread's outbox), on
 * Mosquitto 2.1.
 *
 * Why: a broker built with websockets (Debian's, the official image's) waits
 * a fixed 100 ms for network events on each turn of its loop, whatever TICK's
 * next_ms asks; and 2.1 sends what a TICK callback published only after the
 * next such wait (queue_plugin_msgs runs at the top of the loop, TICK just
 * before the wait). Unwoken, a wall connector's status would reach its
 * subscribers 100 to 200 ms after the link thread read it.
 *
 * How: a signal with a handler that does nothing interrupts the broker
 * thread's epoll_wait (which is never restarted after a handler, SA_RESTART
 * or not; other system calls are, with SA_RESTART). A timer of the kernel's
 * sends it to that thread (SIGEV_THREAD_ID), so that no other thread needs
 * to be scheduled: at once when something is queued (eb_wake_request), then
 * every millisecond until the TICK after the one that published, so that the
 * loop's top has sent the messages (eb_wake_tick_end). The signal is one of
 * the real-time ones that Mosquitto and glibc leave alone; when something
 * else handles it already, there is no waking (and 2.0's latency).
 *
 * One waker per process, shared by every instance of the plugin
 * (per_listener_settings loads one per listener).
 */
#ifndef EB_WAKE_H
#define EB_WAKE_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Starts waking the calling thread (the broker's: mosquitto_plugin_init runs
 * there). True when waking works; false (nothing started) when the signal is
 * taken or the timer could not be made. Each true start needs an eb_wake_stop.
 */
bool eb_wake_start(void);
void eb_wake_stop(void);

/* Any thread: something was queued for the broker's thread. Cheap; safe when waking is off. */
void eb_wake_request(void);

/*
 * Broker's thread, in TICK: eb_wake_tick_begin before taking what was queued,
 * eb_wake_tick_end after, saying whether anything was published.
 */
uint64_t eb_wake_tick_begin(void);
void eb_wake_tick_end(uint64_t begun, bool published);

#endif
