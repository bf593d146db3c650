package org.hbackup.common.io;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The directories that verify, repair, prune and restore keep their listings and reports in while
 * they run ({@code <hadoop.tmp.dir>/hbackup/<command>-<random>}), each owner-only and holding a
 * file that names the process that made it. A run removes its own when it ends; one killed
 * ({@code kill -9}, a lost machine) cannot, and its directory (a listing of every path of a
 * point, megabytes to gigabytes) was left for good. Each new one now removes those of processes
 * known to be gone from this host (the same test as a repository lock's); what it cannot judge (a
 * directory of another host, or without an owner file) it leaves alone.
 */
public final class WorkDirectories {
  private static final Logger LOG = LoggerFactory.getLogger(WorkDirectories.class);
  /** The file in each work directory naming the process that made it. */
  public static final String OWNER = ".hbackup-owner.json";
  private static final String FORMAT = "hbackup-work-directory";
  private static final int MAX_OWNER_BYTES = 4096;

  private WorkDirectories() {
  }

  /**
   * Makes {@code dir} owner-only with its owner file, after removing the directories beside it
   * that processes now gone left. Returns how many were removed.
   */
  public static int create(FileSystem fs, Path dir) throws IOException {
    int reclaimed = reclaim(fs, dir.getParent());
    FileSystems.mkdirsOwnerOnly(fs, dir);
    PosixFiles.setPermission(fs, dir, PosixFiles.OWNER_ONLY_DIRECTORY);
    ObjectNode root = Json.object();
    root.put("format", FORMAT);
    root.put("version", 1);
    ProcessIdentity.self().writeTo(root);
    try (org.apache.hadoop.fs.FSDataOutputStream out = FileSystems.createOwnerOnly(fs, new Path(dir, OWNER), false)) {
      out.write(Json.toBytes(root));
    }
    return reclaimed;
  }

  /** Removes the work directories under {@code root} whose owner file names a process known to be gone. */
  public static int reclaim(FileSystem fs, Path root) {
    int removed = 0;
    FileStatus[] children;
    try {
      children = fs.listStatus(root);
    } catch (IOException e) {
      return 0; // none yet, or not listable: nothing to reclaim
    }
    for (FileStatus child : children) {
      try {
        // A link is never followed nor removed: only directories this code made are judged.
        if (PosixFiles.kindOf(fs, child.getPath()) != PosixFiles.Kind.DIRECTORY) {
          continue;
        }
        ProcessIdentity owner = ownerOf(fs, new Path(child.getPath(), OWNER));
        if (owner != null && owner.knownGone() && fs.delete(child.getPath(), true)) {
          LOG.info("Removed {}, left by process {} that is gone", child.getPath(), owner.pid());
          removed++;
        }
      } catch (IOException | RuntimeException e) {
        LOG.debug("Could not judge {}: {}", child.getPath(), e.getMessage());
      }
    }
    return removed;
  }

  private static ProcessIdentity ownerOf(FileSystem fs, Path file) throws IOException {
    FileStatus status;
    try {
      status = fs.getFileLinkStatus(file);
    } catch (FileNotFoundException e) {
      return null;
    }
    if (!status.isFile() || status.getLen() > MAX_OWNER_BYTES) {
      return null;
    }
    try (InputStream in = fs.open(file)) {
      JsonNode root = Json.parse(in, file.toString());
      Json.checkFormat(root, FORMAT, file.toString(), 1, 1);
      return ProcessIdentity.readFrom(root, file.toString());
    } catch (IOException | RuntimeException e) {
      return null; // not an owner file this code wrote: the directory is left alone
    }
  }
}
