package org.hbackup.restore;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

import org.apache.hadoop.io.Text;
import org.apache.hadoop.io.Writable;
import org.hbackup.common.manifest.ManifestEntry;
import org.hbackup.common.manifest.ManifestEntryCodec;

/**
 * A manifest entry as a Writable, in the format's own entry encoding, with why the entry must not
 * be restored when the manifest check refused it.
 */
public final class ManifestEntryWritable implements Writable {
  private ManifestEntry entry;
  private String refusal;

  public ManifestEntryWritable() {
  }

  public ManifestEntryWritable(ManifestEntry entry) {
    this.entry = entry;
  }

  public ManifestEntry get() {
    return entry;
  }

  public void set(ManifestEntry e) {
    set(e, null);
  }

  public void set(ManifestEntry e, String refusedBecause) {
    this.entry = e;
    this.refusal = refusedBecause;
  }

  /** Why the entry must not be restored, or null. */
  public String refusal() {
    return refusal;
  }

  @Override
  public void write(DataOutput out) throws IOException {
    ManifestEntryCodec.write(entry, out);
    out.writeBoolean(refusal != null);
    if (refusal != null) {
      Text.writeString(out, refusal);
    }
  }

  @Override
  public void readFields(DataInput in) throws IOException {
    entry = ManifestEntryCodec.read(in, "shuffle");
    refusal = in.readBoolean() ? Text.readString(in) : null;
  }

  @Override
  public String toString() {
    return String.valueOf(entry);
  }
}
