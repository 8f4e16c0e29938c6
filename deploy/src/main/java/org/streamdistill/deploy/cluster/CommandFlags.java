package org.streamdistill.deploy.cluster;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code --flag value} (or {@code --flag=value}) arguments of a small command, checked
 * against the flags it knows. Every mistake becomes a {@link UsageException} whose message
 * names the flag, so a command can print it as one line and exit 2.
 */
final class CommandFlags {

  private final String command;
  private final Map<String, String> values;

  private CommandFlags(String command, Map<String, String> values) {
    this.command = command;
    this.values = values;
  }

  /**
   * @param command the command's name, for messages
   * @param known the flags it accepts, without dashes
   */
  static CommandFlags parse(String command, List<String> args, List<String> known) {
    Map<String, String> values = new LinkedHashMap<>();
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (!arg.startsWith("--") || arg.length() == 2) {
        throw new UsageException("unexpected argument '" + arg + "'; flags are --name value");
      }
      String name = arg.substring(2);
      String value;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      } else if (i + 1 < args.size() && !args.get(i + 1).startsWith("--")) {
        value = args.get(++i);
      } else {
        value = null;
      }
      if (!known.contains(name)) {
        throw new UsageException("unknown flag --" + name + "; " + command + " takes --" + String.join(", --", known));
      }
      if (value == null || value.isBlank()) {
        throw new UsageException("flag --" + name + " needs a value");
      }
      values.put(name, value.trim());
    }
    return new CommandFlags(command, values);
  }

  Optional<String> string(String flag) {
    return Optional.ofNullable(values.get(flag));
  }

  String string(String flag, String fallback) {
    return values.getOrDefault(flag, fallback);
  }

  /** The flag as an integer in {@code [min, max]}, if given. */
  Optional<Integer> integer(String flag, int min, int max) {
    String raw = values.get(flag);
    if (raw == null) {
      return Optional.empty();
    }
    try {
      int value = Integer.parseInt(raw);
      if (value >= min && value <= max) {
        return Optional.of(value);
      }
    } catch (NumberFormatException e) {
      // reported below with the allowed range
    }
    throw new UsageException("--" + flag + " must be an integer from " + min + " to " + max + ", got '" + raw + "'");
  }

  @Override
  public String toString() {
    return command + " " + values;
  }

  /** A user mistake on the command line; the message names the flag. */
  static final class UsageException extends RuntimeException {
    UsageException(String message) {
      super(message);
    }
  }
}
