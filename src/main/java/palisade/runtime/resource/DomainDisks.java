package palisade.runtime.resource;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;
import palisade.core.DiskNames;

/**
 * The disks of a libvirt domain's XML (its {@code xml} option, else the file {@code xml_file} names), read when the
 * resource is added so that their leases guard it: each {@code <devices><disk>}'s {@code <source file=...>}, {@code
 * dev=...} or {@code pool=... volume=...} (as {@code POOL/VOLUME}), in document order. Network disks and CD-ROMs
 * without a source name no file here and are left out.
 */
public final class DomainDisks {
  /** A domain XML larger than this is surely not one (the daemon's config files have the same bound). */
  static final long XML_BYTES_MAX = 1 << 20;

  private DomainDisks() {}

  /** The disks of the XML the options bring (none without xml or xml_file); bad XML or names are refused. */
  public static List<String> of(Map<String, String> options) {
    String xml = options.get("xml");
    String origin = "option xml";
    if (xml == null && options.containsKey("xml_file")) {
      Path file = Path.of(options.get("xml_file"));
      origin = "option xml_file (" + file + ")";
      try {
        if (Files.size(file) > XML_BYTES_MAX) throw new IllegalArgumentException(origin + ": larger than 1 MiB");
        xml = Files.readString(file);
      } catch (IOException e) {
        throw new IllegalArgumentException(origin + ": cannot read it here to find the domain's disks ("
            + e.getClass().getSimpleName() + "); run the command where the file is", e);
      }
    }
    return xml == null ? List.of() : parse(xml, origin);
  }

  static List<String> parse(String xml, String origin) {
    NodeList disks;
    try {
      DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
      // no DOCTYPE, no external entities: the XML is the operator's, but a parser must not fetch anything
      f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      f.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
      f.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
      var b = f.newDocumentBuilder();
      b.setErrorHandler(null);
      Element root = b.parse(new InputSource(new StringReader(xml))).getDocumentElement();
      if (!root.getTagName().equals("domain")) {
        throw new IllegalArgumentException(origin + ": not a domain XML (its root is <" + root.getTagName() + ">)");
      }
      disks = root.getElementsByTagName("disk");
    } catch (ParserConfigurationException | SAXException | IOException e) {
      throw new IllegalArgumentException(origin + ": not valid XML: " + e.getMessage(), e);
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < disks.getLength(); i++) {
      String d = source((Element) disks.item(i));
      if (d == null || out.contains(d)) continue;
      String why = DiskNames.problem(d);
      if (why != null) throw new IllegalArgumentException(origin + ": disk '" + d + "': " + why);
      out.add(d);
    }
    return out;
  }

  private static String source(Element disk) {
    NodeList sources = disk.getElementsByTagName("source");
    if (sources.getLength() == 0) return null;
    Element s = (Element) sources.item(0);
    if (!s.getAttribute("file").isEmpty()) return s.getAttribute("file");
    if (!s.getAttribute("dev").isEmpty()) return s.getAttribute("dev");
    if (!s.getAttribute("volume").isEmpty()) {
      return s.getAttribute("pool").isEmpty() ? s.getAttribute("volume") : s.getAttribute("pool") + "/"
          + s.getAttribute("volume");
    }
    return null;
  }
}
