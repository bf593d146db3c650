package org.hbackup.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.regex.Pattern;

import javax.xml.stream.XMLEventReader;
import javax.xml.stream.XMLEventWriter;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.events.XMLEvent;

/**
 * Hadoop's default configuration files ({@code core-default.xml}, {@code mapred-default.xml},
 * {@code yarn-default.xml}, ...) without their {@code <description>} elements and comments, for
 * the merged jar of {@code bin/hbackup} ({@link MergedClassPath}).
 *
 * <p>Hadoop parses every default file again for each {@code Configuration} it creates, and the
 * local job runner creates several per job (the job's own, read back from its job.xml, and one
 * each time it sets up and tears down its cache manager): about 0.1 s of CPU per job, on the
 * driver's path. Two thirds of those files' bytes are descriptions, which {@code Configuration}
 * reads past and never keeps; without them a prune (three jobs) took 0.15 s less
 * (docs/BENCHMARKS.md, tenth session). The properties, their values, {@code final} flags and
 * every other element are kept as they are; a file that does not parse as a Hadoop
 * configuration is copied unchanged. On a cluster ({@code hadoop jar}) Hadoop's own files are
 * read: this only changes the embedded default's jar, rebuilt from the Hadoop it merges.
 *
 * <p>Written with the JDK's own StAX implementation (not whichever one the class path offers, so
 * that the build and the tests write the same bytes) rather than a text filter, so that a
 * description holding markup (CDATA, escaped tags) is removed whole and nothing else is touched.
 */
final class SlimDefaultResources {
  /** A default resource at the root of a jar, as {@code Configuration.addDefaultResource} names them. */
  private static final Pattern DEFAULT_RESOURCE = Pattern.compile("[a-z][a-z0-9-]*-default\\.xml");
  private static final String ROOT = "configuration";
  private static final String DESCRIPTION = "description";

  private SlimDefaultResources() {
  }

  static boolean isDefaultResource(String name) {
    return DEFAULT_RESOURCE.matcher(name).matches();
  }

  /** {@code xml} without descriptions and comments, or {@code xml} itself when it is not a configuration. */
  static byte[] slim(byte[] xml) {
    try {
      return strip(xml);
    } catch (XMLStreamException | RuntimeException e) {
      return xml;
    }
  }

  private static byte[] strip(byte[] xml) throws XMLStreamException {
    XMLInputFactory inputs = XMLInputFactory.newDefaultFactory();
    inputs.setProperty(XMLInputFactory.SUPPORT_DTD, false);
    inputs.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
    XMLEventReader in = inputs.createXMLEventReader(new ByteArrayInputStream(xml));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(xml.length);
    XMLEventWriter out = XMLOutputFactory.newDefaultFactory().createXMLEventWriter(bytes, "UTF-8");
    int depth = 0;
    int skipping = 0; // depth of the description element being left out, or 0
    boolean sawRoot = false;
    while (in.hasNext()) {
      XMLEvent event = in.nextEvent();
      if (event.isStartElement()) {
        depth++;
        String name = event.asStartElement().getName().getLocalPart();
        if (depth == 1) {
          if (!ROOT.equals(name)) {
            return xml;
          }
          sawRoot = true;
        }
        if (skipping == 0 && depth == 3 && DESCRIPTION.equals(name)) {
          skipping = depth;
        }
      }
      boolean drop = skipping > 0 || event.getEventType() == XMLEvent.COMMENT;
      if (event.isEndElement()) {
        if (depth == skipping) {
          skipping = 0;
        }
        depth--;
      }
      if (!drop) {
        out.add(event);
      }
    }
    out.close();
    in.close();
    return sawRoot ? bytes.toByteArray() : xml;
  }
}
