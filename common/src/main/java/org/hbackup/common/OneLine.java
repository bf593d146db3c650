package org.hbackup.common;

/** The first line of a message: what every one-line error and report reason is made of. */
public final class OneLine {
  private OneLine() {
  }

  /** The message's first line, or {@code fallback} when there is none. */
  public static String of(String message, String fallback) {
    if (message == null || message.isEmpty()) {
      return fallback;
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }

  /** The exception's message's first line, or its class name when it has none. */
  public static String of(Throwable t) {
    return of(t.getMessage(), t.getClass().getSimpleName());
  }
}
