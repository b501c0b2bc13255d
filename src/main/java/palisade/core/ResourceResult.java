package palisade.core;

/** The agent's answer to the request carrying token. */
public record ResourceResult(long token, RequestOutcome outcome) {}
