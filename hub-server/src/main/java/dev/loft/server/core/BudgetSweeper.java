package dev.loft.server.core;

import dev.loft.protocol.CloseCodes;
import dev.loft.server.budget.MemoryBudget;
import dev.loft.server.stats.Stat;
import dev.loft.server.stats.StatStore;
import dev.loft.server.stats.TopAccount;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Locale;

/**
 * The memory budget's housekeeper. Each tick it walks the admitted peers once (on the
 * housekeeper, never on a scrape) and:
 *
 * <ul>
 *   <li>sums their outbound backlogs into the budget (the one kind not charged as it changes);
 *   <li>keeps the {@link #TOP} largest accounts for {@code /stats} and {@code /metrics};
 *   <li>evicts, past the budget's high mark, the largest accounts first (close 4006) until what
 *       stays is under the mark;
 *   <li>evicts a peer that made the hub send more than {@code maxAmplification} frames per frame
 *       it sent during the tick (close 4001), the bound on what one peer can make the hub send.
 * </ul>
 */
public final class BudgetSweeper implements Runnable {
  /** How often it runs: the lag of the outbound sum and of the top accounts. */
  public static final Duration INTERVAL = Duration.ofMillis(500);
  /** Accounts listed in /stats. */
  public static final int TOP = 5;
  /** Below this many frames caused in a tick, no ratio is judged (a lone publish to a big topic). */
  static final long MIN_FRAMES_FOR_AMPLIFICATION = 5_000;


  interface Evictor {
    boolean evict(Peer peer, int code, String reason);
  }

  private final MemoryBudget budget;
  private final PeerRegistry registry;
  private final StatStore counters;
  private final int maxAmplification;
  private final Evictor evictor;
  private final AddressCooldowns cooldowns;
  private volatile List<TopAccount> top = List.of();

  BudgetSweeper(MemoryBudget budget, PeerRegistry registry, StatStore counters, int maxAmplification,
      Evictor evictor, AddressCooldowns cooldowns) {
    this.cooldowns = cooldowns;
    this.budget = budget;
    this.registry = registry;
    this.counters = counters;
    this.maxAmplification = maxAmplification;
    this.evictor = evictor;
  }

  @Override
  public void run() {
    budget.sweepStarts();
    long outbound = 0;
    PriorityQueue<Sized> top = new PriorityQueue<>(TOP + 1, Comparator.comparingLong(Sized::bytes));
    for (Peer p : registry.all()) {
      outbound += p.pendingBytes();
      long bytes = p.account().total();
      if (top.size() < TOP || bytes > top.peek().bytes()) { // no allocation per peer per tick
        top.add(new Sized(p, bytes));
        if (top.size() > TOP) {
          top.poll();
        }
      }
      checkAmplification(p);
    }
    budget.outbound(outbound);
    if (budget.aboveHighMark()) {
      evictLargest();
    }
    List<TopAccount> views = new ArrayList<>(top.size());
    for (Sized s : top) {
      views.add(new TopAccount(s.peer().id(), s.bytes(), s.peer().account().largest().name().toLowerCase(Locale.ROOT)));
    }
    views.sort(Comparator.comparingLong(TopAccount::bytes).reversed());
    this.top = List.copyOf(views);
  }

  private void checkAmplification(Peer p) {
    long in = p.framesIn();
    long caused = p.framesCaused();
    long dIn = in - p.windowFramesIn;
    long dCaused = caused - p.windowFramesCaused;
    p.windowFramesIn = in;
    p.windowFramesCaused = caused;
    if (dCaused >= MIN_FRAMES_FOR_AMPLIFICATION && dCaused > maxAmplification * Math.max(1, dIn)
        && evictor.evict(p, CloseCodes.RATE_LIMIT_EXCEEDED, "Amplification limit exceeded")) {
      counters.increment(Stat.EVICTED_AMPLIFICATION);
      cooldowns.penalize(p.address());
    }
  }

  /** Past the high mark: the largest accounts go first, until what stays fits under the mark. */
  private void evictLargest() {
    List<Sized> all = new ArrayList<>(registry.registered());
    for (Peer p : registry.all()) {
      all.add(new Sized(p, p.account().total()));
    }
    all.sort(Comparator.comparingLong(Sized::bytes).reversed());
    long projected = budget.charged();
    for (Sized s : all) {
      if (projected <= budget.highMarkBytes()) {
        break;
      }
      projected -= s.bytes(); // already closing or evicted now: either way it is on its way out
      if (evictor.evict(s.peer(), CloseCodes.OVER_BUDGET, "Evicted: largest memory account over the hub's budget")) {
        counters.increment(Stat.EVICTED_OVER_BUDGET);
      }
    }
  }

  /** The largest accounts as of the last tick, largest first. */
  public List<TopAccount> topAccounts() {
    return top;
  }

  private record Sized(Peer peer, long bytes) {}
}
