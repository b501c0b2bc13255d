package palisade.bench;

import palisade.core.ConfigException;
import palisade.core.Durations;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Parses `--duration 10m`-style options to milliseconds; a bad value is a one-line usage error (exit 2). */
final class MsConverter implements ITypeConverter<Long> {
  @Override
  public Long convert(String value) {
    try {
      return Durations.parseMs(value, "duration");
    } catch (ConfigException e) {
      throw new TypeConversionException(e.getMessage());
    }
  }
}
