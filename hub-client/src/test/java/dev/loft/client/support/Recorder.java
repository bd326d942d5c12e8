package dev.loft.client.support;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Predicate;

/** A listener that keeps what it receives, for assertions from the test thread. */
public final class Recorder<E> implements Consumer<E> {
  private final List<E> events = new CopyOnWriteArrayList<>();

  @Override
  public void accept(E event) {
    events.add(event);
  }

  public List<E> all() {
    return List.copyOf(events);
  }

  public int size() {
    return events.size();
  }

  public <T extends E> List<T> ofType(Class<T> type) {
    return events.stream().filter(type::isInstance).map(type::cast).toList();
  }

  public boolean any(Predicate<? super E> test) {
    return events.stream().anyMatch(test);
  }
}
