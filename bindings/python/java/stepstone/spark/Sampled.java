package stepstone.spark;

import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

import org.apache.spark.sql.api.java.UDF2;

/**
 * stepstone's sampling decision as a Spark UDF evaluated in the JVM: {@code (period, id) ->
 * position(period, id) < threshold}, null for a null period or id.
 *
 * <p>The message and the threshold come from the core through the Python binding
 * ({@code SamplingPlan.message_layout} and {@code SamplingPlan.positions_below}), exactly as the
 * SQL route gets them; this class only hashes
 *
 * <pre>
 * head ‖ u64be(period) ‖ pad zero bytes ‖ u32be(len(id)) ‖ id
 * </pre>
 *
 * and compares the first 8 bytes of the digest, read as an unsigned big-endian number, with the
 * threshold. {@code head ‖ u64be(period) ‖ pad} is whole 64-byte blocks, so the SHA-256 state
 * after it is kept for the last period seen (rows of one period share it): a row costs the
 * hash of its own block (usually one).
 *
 * <p>The period arrives as a Spark {@code bigint}; its 64 bits are the period's big-endian
 * bytes, so a period above 2^63 - 1 is passed as the long with the same bits. Each Spark task
 * deserialises its own copy of the UDF, so the per-period state is not shared between threads.
 */
public final class Sampled implements UDF2<Long, byte[], Boolean> {
  private static final long serialVersionUID = 1L;
  private static final BigInteger TWO_TO_64 = BigInteger.ONE.shiftLeft(64);

  private final byte[] head;
  private final int pad;
  private final long threshold;
  /** The threshold is 2^64 (rate 1000000): every row with an id and a period is in. */
  private final boolean everyone;

  private transient MessageDigest afterHead;
  private transient MessageDigest afterPeriod;
  private transient long lastPeriod;
  /** The row's {@code u32be(len(id)) ‖ id}, then its digest: one update, no allocation per row. */
  private transient byte[] scratch;

  /**
   * @param head the bytes before the period (tag, salt and class with their lengths)
   * @param pad how many zero bytes follow the period (0 to 63)
   * @param threshold the positions below which a device is in, in decimal, 0 to 2^64
   * @throws IllegalArgumentException for a pad or threshold out of range, or a layout whose
   *     shared part is not whole 64-byte blocks
   */
  public Sampled(byte[] head, int pad, String threshold) {
    if (head == null || pad < 0 || pad > 63 || (head.length + 8 + pad) % 64 != 0) {
      throw new IllegalArgumentException(
          "stepstone: the message layout (head of "
              + (head == null ? "null" : head.length + " bytes")
              + ", pad "
              + pad
              + ") does not make whole 64-byte blocks");
    }
    BigInteger t;
    try {
      t = new BigInteger(threshold);
    } catch (NumberFormatException | NullPointerException e) {
      throw new IllegalArgumentException("stepstone: threshold " + threshold + " is not a number");
    }
    if (t.signum() < 0 || t.compareTo(TWO_TO_64) > 0) {
      throw new IllegalArgumentException(
          "stepstone: threshold " + threshold + " is not from 0 to 2^64");
    }
    this.head = head.clone();
    this.pad = pad;
    this.everyone = t.equals(TWO_TO_64);
    this.threshold = everyone ? 0L : t.longValue();
  }

  @Override
  public Boolean call(Long period, byte[] id) throws CloneNotSupportedException {
    if (period == null || id == null) {
      return null;
    }
    if (everyone) {
      return Boolean.TRUE;
    }
    if (threshold == 0L) {
      return Boolean.FALSE;
    }
    MessageDigest h = (MessageDigest) shared(period).clone();
    int n = id.length;
    byte[] d = scratch;
    if (d.length < 4 + n) {
      d = scratch = new byte[Math.max(2 * d.length, 4 + n)];
    }
    d[0] = (byte) (n >>> 24);
    d[1] = (byte) (n >>> 16);
    d[2] = (byte) (n >>> 8);
    d[3] = (byte) n;
    System.arraycopy(id, 0, d, 4, n);
    h.update(d, 0, 4 + n);
    try {
      h.digest(d, 0, 32);
    } catch (java.security.DigestException e) {
      throw new IllegalStateException("stepstone: SHA-256 digest", e);
    }
    long position = 0;
    for (int i = 0; i < 8; i++) {
      position = (position << 8) | (d[i] & 0xffL);
    }
    return Long.compareUnsigned(position, threshold) < 0;
  }

  /** The SHA-256 state after {@code head ‖ u64be(period) ‖ pad}, kept for the last period. */
  private MessageDigest shared(long period) throws CloneNotSupportedException {
    if (afterPeriod != null && lastPeriod == period) {
      return afterPeriod;
    }
    if (afterHead == null) {
      afterHead = sha256();
      afterHead.update(head);
      scratch = new byte[128];
    }
    MessageDigest h = (MessageDigest) afterHead.clone();
    byte[] p = new byte[8 + pad];
    for (int i = 0; i < 8; i++) {
      p[i] = (byte) (period >>> (56 - 8 * i));
    }
    h.update(p);
    afterPeriod = h;
    lastPeriod = period;
    return h;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("stepstone: this JVM has no SHA-256", e);
    }
  }
}
