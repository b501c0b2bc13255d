package palisade.runtime.resource;

/**
 * What a running resource has used, read for load reporting ({@code crs=dynamic}): its CPU time so far (a counter;
 * the reporter turns two readings into a share of cores) and its resident memory now.
 *
 * @param cpuNanos CPU time used since the resource started, user and system, in nanoseconds
 * @param memBytes resident memory now, in bytes
 */
public record ResourceSample(long cpuNanos, long memBytes) {
  public ResourceSample {
    if (cpuNanos < 0 || memBytes < 0) {
      throw new IllegalArgumentException("negative sample " + cpuNanos + "/" + memBytes);
    }
  }

  public ResourceSample plus(ResourceSample o) {
    return new ResourceSample(cpuNanos + o.cpuNanos, memBytes + o.memBytes);
  }
}
