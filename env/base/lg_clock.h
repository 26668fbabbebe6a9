/* Wall-clock time, for progress and benchmarks only: nothing that decides a
 * result may read it. */
#ifndef LG_CLOCK_H
#define LG_CLOCK_H

double lg_now(void); /* monotonic seconds */

#endif
