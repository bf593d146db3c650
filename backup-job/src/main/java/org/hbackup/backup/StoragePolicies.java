package org.hbackup.backup;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.DistributedFileSystem;
import org.apache.hadoop.hdfs.protocol.HdfsConstants;
import org.apache.hadoop.ipc.RemoteException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HDFS storage policy set on an entry itself, as the manifest keeps it (FORMAT.md, "Entry
 * encoding", version 4). The NameNode reports an entry's effective policy, its own or inherited;
 * an entry whose effective policy differs from its parent's had one set on it, and that one is
 * kept, so a restore sets policies where the source had them set and nowhere else. The source's
 * root is compared with HDFS's default policy (HOT) instead, since its parent is outside the
 * backup. One NameNode call per entry, and one per parent directory, cached: siblings share it.
 */
final class StoragePolicies {
  private static final Logger LOG = LoggerFactory.getLogger(StoragePolicies.class);
  private static final int PARENTS_CACHED = 256;

  private final DistributedFileSystem dfs;
  private boolean enabled;
  private final Map<Path, String> parents = new LinkedHashMap<>(64, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Path, String> eldest) {
      return size() > PARENTS_CACHED;
    }
  };

  /** Policies of {@code dfs}'s entries; none at all when {@code dfs} is null or {@code enabled} false. */
  StoragePolicies(DistributedFileSystem dfs, boolean enabled) {
    this.dfs = dfs;
    this.enabled = dfs != null && enabled;
  }

  /**
   * The policy set on {@code path} itself, or "" when it takes its parent's; {@code root} says it
   * is the source's root. Missing entries and denied reads throw, as the NameNode says them.
   */
  String setOn(Path path, boolean root) throws IOException {
    if (!enabled) {
      return "";
    }
    try {
      String own = effective(path);
      Path parent = path.getParent();
      String inherited;
      if (root || parent == null) {
        inherited = HdfsConstants.HOT_STORAGE_POLICY_NAME;
      } else {
        inherited = parents.get(parent);
        if (inherited == null) {
          inherited = effective(parent);
          parents.put(parent, inherited);
        }
      }
      return own.equals(inherited) ? "" : own;
    } catch (UnsupportedOperationException | RemoteException e) {
      // A NameNode (or a file system behind the same class) that has no policies to report.
      LOG.warn("Storage policies are not read from {}: {}", dfs.getUri(), e.toString());
      enabled = false;
      return "";
    }
  }

  private String effective(Path path) throws IOException {
    org.apache.hadoop.fs.BlockStoragePolicySpi policy = dfs.getStoragePolicy(path);
    return policy == null ? "" : policy.getName();
  }
}
