package dev.loft.stress;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Polls the hub's /health (and its process, when known) every 500 ms and notes when it stops and
 * starts answering: an attack that takes the hub down is a finding, not a crash of the tool.
 */
final class HubWatch {
  private final AdminClient admin;
  private final Supplier<HubProc> proc;
  private final StatsSampler sampler;
  private final List<String> events = new ArrayList<>(); // guarded by itself, with times
  private final List<Double> times = new ArrayList<>();
  private volatile boolean watching = true;

  /** {@code proc}: the hub's process as now known (it changes when the hub is restarted). */
  HubWatch(AdminClient admin, Supplier<HubProc> proc, StatsSampler sampler) {
    this.admin = admin;
    this.proc = proc;
    this.sampler = sampler;
    Thread t = new Thread(this::watch, "hub-watch");
    t.setDaemon(true);
    t.start();
  }

  void stop() {
    watching = false;
  }

  /** What happened between {@code from} and {@code to} (seconds of the run), as "t=12.3s ...". */
  List<String> between(double from, double to) {
    List<String> out = new ArrayList<>();
    synchronized (events) {
      for (int i = 0; i < events.size(); i++) {
        if (times.get(i) >= from && times.get(i) <= to) {
          out.add(events.get(i));
        }
      }
    }
    return out;
  }

  private void watch() {
    boolean up = true;
    boolean alive = true;
    while (watching) {
      boolean h = admin.healthy();
      if (h != up) {
        event(h ? "hub answers /health again" : "hub stopped answering /health");
        up = h;
      }
      HubProc p = proc.get();
      if (alive && p.known() && !p.alive()) {
        alive = false;
        event("hub process " + p.pid + " exited");
      }
      try {
        TimeUnit.MILLISECONDS.sleep(500); // polling the hub: it pushes nothing
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private void event(String text) {
    double t = sampler.now();
    synchronized (events) {
      events.add(String.format(Locale.ROOT, "t=%.1fs %s", t, text));
      times.add(t);
    }
    sampler.mark(text.length() > 24 ? text.substring(0, 24) : text);
  }
}
