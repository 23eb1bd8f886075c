/** What starts a retrain job in a process of its own (the runners: runners.ts, kubernetes-job-runner.ts). */
export interface JobRunner {
  /** `running` answers whether the job has left "queued" (read from its record). */
  start(jobId: string, running: () => Promise<boolean>): Promise<void>;
}
