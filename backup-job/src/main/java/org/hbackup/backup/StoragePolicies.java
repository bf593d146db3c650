package org.hbackup.backup;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.DistributedFileSystem;
import org.apache.hadoop.hdfs.protocol.HdfsConstants;
import org.apache.hadoop.ipc.RemoteException;
import org.apache.hadoop.ipc.RpcNoSuchMethodException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HDFS storage policy set on an entry itself, as the manifest keeps it (FORMAT.md, "Entry
 * encoding", version 4). The NameNode reports an entry's effective policy, its own or inherited;
 * an entry whose effective policy differs from its parent's had one set on it, and that one is
 * kept, so a restore sets policies where the source had them set and nowhere else. The source's
 * root is compared with the live source's parent (a snapshot's root has no parent to ask), or
 * with HDFS's default policy (HOT) when the source is the file system's root. One NameNode call per entry and one per
 * parent directory not seen as an entry, cached: siblings share it.
 */
final class StoragePolicies {
  private static final Logger LOG = LoggerFactory.getLogger(StoragePolicies.class);
  private static final int PARENTS_CACHED = 256;

  private final DistributedFileSystem dfs;
  private final Path sourceParent;
  private boolean enabled;
  private String rootInherits;
  private final Map<Path, String> directories = new LinkedHashMap<>(64, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Path, String> eldest) {
      return size() > PARENTS_CACHED;
    }
  };

  /**
   * Policies of {@code dfs}'s entries under {@code source} (the live path, not a snapshot's);
   * none at all when {@code dfs} is null or {@code enabled} false.
   */
  StoragePolicies(DistributedFileSystem dfs, Path source, boolean enabled) {
    this.dfs = dfs;
    this.sourceParent = source == null ? null : source.getParent();
    this.enabled = dfs != null && enabled;
  }

  /**
   * The policy set on {@code path} itself, or "" when it takes its parent's; {@code root} says it
   * is the source's root and {@code directory} that it is a directory (whose policy its entries
   * will be compared with). Missing entries and denied reads throw, as the NameNode says them.
   */
  String setOn(Path path, boolean root, boolean directory) throws IOException {
    if (!enabled) {
      return "";
    }
    try {
      String own = effective(path);
      if (directory) {
        directories.put(path, own);
      }
      String inherited = root ? rootInherits() : parentPolicy(path.getParent());
      return own.equals(inherited) ? "" : own;
    } catch (UnsupportedOperationException | RpcNoSuchMethodException e) {
      return off(e);
    } catch (RemoteException e) {
      if (RpcNoSuchMethodException.class.getName().equals(e.getClassName())
          || UnsupportedOperationException.class.getName().equals(e.getClassName())) {
        return off(e);
      }
      throw e;
    }
  }

  private String off(Exception e) {
    // A NameNode (or a file system behind the same class) that has no policies to report.
    LOG.warn("Storage policies are not read from {}: {}", dfs.getUri(), e.toString());
    enabled = false;
    return "";
  }

  private String rootInherits() throws IOException {
    if (rootInherits == null) {
      rootInherits = sourceParent == null ? HdfsConstants.HOT_STORAGE_POLICY_NAME : effective(sourceParent);
    }
    return rootInherits;
  }

  private String parentPolicy(Path parent) throws IOException {
    if (parent == null) {
      return "";
    }
    String policy = directories.get(parent);
    if (policy == null) {
      policy = effective(parent);
      directories.put(parent, policy);
    }
    return policy;
  }

  private String effective(Path path) throws IOException {
    org.apache.hadoop.fs.BlockStoragePolicySpi policy = dfs.getStoragePolicy(path);
    return policy == null ? "" : policy.getName();
  }
}
