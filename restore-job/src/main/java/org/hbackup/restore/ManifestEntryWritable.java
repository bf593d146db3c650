package org.hbackup.restore;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

import org.apache.hadoop.io.Writable;
import org.hbackup.common.manifest.ManifestEntry;
import org.hbackup.common.manifest.ManifestEntryCodec;

/** A manifest entry as a Writable, in the format's own entry encoding. */
public final class ManifestEntryWritable implements Writable {
  private ManifestEntry entry;

  public ManifestEntryWritable() {
  }

  public ManifestEntryWritable(ManifestEntry entry) {
    this.entry = entry;
  }

  public ManifestEntry get() {
    return entry;
  }

  public void set(ManifestEntry e) {
    this.entry = e;
  }

  @Override
  public void write(DataOutput out) throws IOException {
    ManifestEntryCodec.write(entry, out);
  }

  @Override
  public void readFields(DataInput in) throws IOException {
    entry = ManifestEntryCodec.read(in, "shuffle");
  }

  @Override
  public String toString() {
    return String.valueOf(entry);
  }
}
