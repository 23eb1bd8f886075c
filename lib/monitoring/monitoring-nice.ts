/** How much the monitoring reads yield to serving, as a thread's or a child process's niceness. */

/**
 * Nice 10, not 19: Linux's scheduler weighs a nice-10 thread at 110 against a normal one's 1,024,
 * so predictions keep about nine tenths of a contended core, while the reads still move. At 19
 * (weight 15) a machine saturated by other work starved them: a 24 h report of a fresh service
 * timed out on its store reads (5 s) with the CI suite and two other jobs running beside it.
 */
export const MONITORING_NICE = 10;
