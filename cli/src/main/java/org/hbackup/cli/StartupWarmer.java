package org.hbackup.cli;

import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import javax.crypto.KeyGenerator;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.Transformer;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;

import org.hbackup.common.io.Json;
import org.w3c.dom.Document;
import org.slf4j.LoggerFactory;
import org.w3c.dom.Element;

/**
 * Initializes, on a second thread while the command starts, the parts of the JDK and Hadoop that
 * every job needs once and that the command's own thread would otherwise set up one after the
 * other: the platform MBean server (Hadoop's metrics register with it: 45-50 ms), Jackson (and
 * the locale data its date format loads: 35 ms), the JCE key generator that job submission
 * uses for the shuffle secret (20 ms), and the XML DOM and serializer that write every job's
 * {@code job.xml} (85 ms the first time, most of it loading and running cold code). A short run
 * uses one core for this part (docs/BENCHMARKS.md, "Start-up on a second core"); the second is idle
 * until the first job's tasks start.
 *
 * <p>Each step only warms what the command would do anyway, and changes no state the command
 * reads: a step that fails is skipped (the command then pays for it as before). Only JDK
 * subsystems made to be set up from any thread, and Jackson, are touched: not Hadoop's classes,
 * whose static initializers refer to each other (Hadoop's {@code Shell}, whose initializer forks
 * {@code setsid}, would save 25 ms, but it initializes its own subclass, and a command thread
 * starting that subclass at the same moment would wait on it forever). {@code
 * -Dhbackup.warmup=false} turns it off.
 */
final class StartupWarmer {
  static final String ENABLED = "hbackup.warmup";
  private static final String SHUFFLE_KEY_ALGORITHM = "HmacSHA1"; // JobSubmitter's

  private final List<String> failed = Collections.synchronizedList(new ArrayList<>());
  private final CountDownLatch done = new CountDownLatch(1);

  private StartupWarmer() {
  }

  /** Starts warming on a daemon thread, unless turned off; returns the warmer (for tests). */
  static StartupWarmer start() {
    StartupWarmer warmer = new StartupWarmer();
    if (!Boolean.parseBoolean(System.getProperty(ENABLED, "true"))) {
      warmer.done.countDown();
      return warmer;
    }
    // Logging first, on this thread: while SLF4J initializes, a logger asked for on another thread
    // records its calls and replays them with a warning on stderr.
    LoggerFactory.getILoggerFactory();
    Thread thread = new Thread(warmer::run, "hbackup-warm-up");
    thread.setDaemon(true);
    thread.start();
    return warmer;
  }

  /** Steps in the order the command first needs them. */
  private void run() {
    try {
      step("json", () -> Json.toCompactString(Json.parse(
          new ByteArrayInputStream("{\"warm\":[1,\"up\"]}".getBytes(StandardCharsets.UTF_8)), "warm-up")));
      step("mbeans", ManagementFactory::getPlatformMBeanServer);
      step("keygen", () -> KeyGenerator.getInstance(SHUFFLE_KEY_ALGORITHM).init(64));
      step("xml", StartupWarmer::writeXml);
    } finally {
      done.countDown();
    }
  }

  /** What {@code Configuration.writeXml} does with a job's settings, on a small document. */
  private static void writeXml() throws Exception {
    Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().newDocument();
    Element conf = doc.createElement("configuration");
    doc.appendChild(conf);
    for (int i = 0; i < 64; i++) {
      Element property = doc.createElement("property");
      conf.appendChild(property);
      Element name = doc.createElement("name");
      name.appendChild(doc.createTextNode("warm.up." + i));
      property.appendChild(name);
      Element value = doc.createElement("value");
      value.appendChild(doc.createTextNode(Integer.toString(i)));
      property.appendChild(value);
    }
    Transformer transformer = TransformerFactory.newInstance().newTransformer();
    transformer.setOutputProperty(OutputKeys.ENCODING, "UTF-8");
    transformer.transform(new DOMSource(doc), new StreamResult(OutputStream.nullOutputStream()));
  }

  private void step(String name, Step step) {
    try {
      step.run();
    } catch (Throwable t) { // best effort: the command does the same work itself when it needs it
      failed.add(name + ": " + t);
    }
  }

  /** Waits for the warm-up to finish; returns the steps that failed (empty when all ran). */
  List<String> awaitFailures() throws InterruptedException {
    done.await();
    return new ArrayList<>(failed);
  }

  @FunctionalInterface
  private interface Step {
    void run() throws Exception;
  }
}
