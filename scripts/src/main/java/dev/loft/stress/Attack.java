package dev.loft.stress;

/**
 * One attack of the abuse scenario. Its body calls {@link AbuseRun#begin()} when the attack
 * proper starts and {@link AbuseRun#end()} when it is over, before its sockets are closed (what
 * they made the hub hold is measured while they exist); the scenario closes an unbalanced run.
 */
interface Attack {
  void run(AbuseRun r) throws Exception;
}
