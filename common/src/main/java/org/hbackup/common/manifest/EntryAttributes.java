package org.hbackup.common.manifest;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What an entry carries beyond POSIX mode, owner and times: its ACL entries beyond the mode bits
 * (as Hadoop's {@code AclEntry.toStringStable()} prints them: {@code user:bob:rwx},
 * {@code default:group::r-x}), its extended attributes ({@code user.*}, {@code trusted.*}),
 * as an HDFS source reports them (DistCp's {@code -pa -px}), and the HDFS storage policy set on
 * it (segment version 4; empty when the entry takes its parent's). Immutable; bounded so that a hostile
 * segment cannot make a reader allocate much (FORMAT.md, "Entry encoding").
 */
public final class EntryAttributes {
  /** HDFS allows 32 access and 32 default entries. */
  public static final int MAX_ACL_ENTRIES = 64;
  /** HDFS allows 32 extended attributes per inode by default. */
  public static final int MAX_XATTRS = 64;
  /** HDFS allows 16 KiB (name and value) by default; 64 KiB leaves room for a raised limit. */
  public static final int MAX_XATTR_VALUE = 64 * 1024;

  /** HDFS's policy names are short words (HOT, ALL_SSD, LAZY_PERSIST); room for a site's own. */
  public static final int MAX_STORAGE_POLICY = 64;
  private static final java.util.regex.Pattern STORAGE_POLICY = java.util.regex.Pattern.compile("[A-Za-z0-9_-]*");

  public static final EntryAttributes NONE = new EntryAttributes(List.of(), new TreeMap<>(RelativePaths::compare), "");

  private final List<String> acl;
  private final SortedMap<String, byte[]> xattrs;
  private final String storagePolicy;

  private EntryAttributes(List<String> acl, SortedMap<String, byte[]> xattrs, String storagePolicy) {
    this.acl = acl;
    this.xattrs = xattrs;
    this.storagePolicy = storagePolicy;
  }

  /** Attributes with these ACL entries (in order) and extended attributes (copied). */
  public static EntryAttributes of(List<String> acl, Map<String, byte[]> xattrs) {
    return of(acl, xattrs, "");
  }

  /**
   * As above, with the storage policy set on the entry itself ({@code ""} or null for none): a
   * name of at most 64 letters, digits, '_' and '-', so that a hostile segment cannot smuggle
   * anything else into a restore's {@code setStoragePolicy}.
   */
  public static EntryAttributes of(List<String> acl, Map<String, byte[]> xattrs, String storagePolicy) {
    String policy = storagePolicy == null ? "" : storagePolicy;
    // Most entries have no policy: no matcher for them (one per entry read was 3% of what a
    // backup with nothing changed allocated).
    if (!policy.isEmpty() && (policy.length() > MAX_STORAGE_POLICY || !STORAGE_POLICY.matcher(policy).matches())) {
      throw new IllegalArgumentException("malformed storage policy name '" + policy + "'");
    }
    if ((acl == null || acl.isEmpty()) && (xattrs == null || xattrs.isEmpty()) && policy.isEmpty()) {
      return NONE;
    }
    List<String> aclCopy = acl == null ? List.of() : List.copyOf(acl);
    if (aclCopy.size() > MAX_ACL_ENTRIES) {
      throw new IllegalArgumentException(aclCopy.size() + " ACL entries, more than " + MAX_ACL_ENTRIES);
    }
    for (String entry : aclCopy) {
      if (entry.isEmpty() || entry.indexOf('\0') >= 0 || entry.indexOf(',') >= 0) {
        throw new IllegalArgumentException("malformed ACL entry '" + entry + "'");
      }
    }
    // In the order of their names' UTF-8 bytes, as they are written.
    TreeMap<String, byte[]> xattrCopy = new TreeMap<>(RelativePaths::compare);
    if (xattrs != null) {
      if (xattrs.size() > MAX_XATTRS) {
        throw new IllegalArgumentException(xattrs.size() + " extended attributes, more than " + MAX_XATTRS);
      }
      for (Map.Entry<String, byte[]> e : xattrs.entrySet()) {
        String name = e.getKey();
        byte[] value = e.getValue() == null ? new byte[0] : e.getValue();
        if (name.isEmpty() || name.indexOf('.') <= 0 || name.indexOf('\0') >= 0) {
          throw new IllegalArgumentException("malformed extended attribute name '" + name + "'");
        }
        if (value.length > MAX_XATTR_VALUE) {
          throw new IllegalArgumentException("extended attribute " + name + " of " + value.length + " bytes");
        }
        xattrCopy.put(name, value.clone());
      }
    }
    return new EntryAttributes(aclCopy, Collections.unmodifiableSortedMap(xattrCopy), policy);
  }

  /** These attributes with {@code storagePolicy} instead of this one's. */
  public EntryAttributes withStoragePolicy(String storagePolicy) {
    return of(acl, xattrs, storagePolicy);
  }

  /** The storage policy set on the entry itself; empty when it takes its parent's (or has none). */
  public String storagePolicy() {
    return storagePolicy;
  }

  public List<String> acl() {
    return acl;
  }

  /** Extended attributes by name, in the order of the names' UTF-8 bytes; values are never to be changed. */
  public SortedMap<String, byte[]> xattrs() {
    return xattrs;
  }

  public boolean isEmpty() {
    return acl.isEmpty() && xattrs.isEmpty() && storagePolicy.isEmpty();
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof EntryAttributes)) {
      return false;
    }
    EntryAttributes a = (EntryAttributes) o;
    if (!acl.equals(a.acl) || !xattrs.keySet().equals(a.xattrs.keySet()) || !storagePolicy.equals(a.storagePolicy)) {
      return false;
    }
    for (Map.Entry<String, byte[]> e : xattrs.entrySet()) {
      if (!Arrays.equals(e.getValue(), a.xattrs.get(e.getKey()))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    return (acl.hashCode() * 31 + xattrs.keySet().hashCode()) * 31 + storagePolicy.hashCode();
  }

  @Override
  public String toString() {
    return "acl " + acl + ", xattrs " + xattrs.keySet() + (storagePolicy.isEmpty() ? "" : ", storage policy " + storagePolicy);
  }
}
