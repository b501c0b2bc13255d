package palisade.fencing;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** The parameters a ClusterLabs fence agent accepts, from its {@code -o metadata} XML. */
public record AgentMetadata(String agent, List<Parameter> parameters) {

    /**
     * One agent parameter. {@code obsoletes} names the older parameter this one replaces
     * (ip obsoletes ipaddr); the older one is then marked {@code deprecated}.
     */
    public record Parameter(String name, boolean required, String type, boolean deprecated,
            Optional<String> obsoletes) {
    }

    public AgentMetadata {
        parameters = List.copyOf(parameters);
    }

    public Optional<Parameter> parameter(String name) {
        return parameters.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    /** The name that replaces a deprecated parameter, if the metadata says. */
    public Optional<String> replacementOf(String name) {
        return parameters.stream()
                .filter(p -> p.obsoletes().filter(name::equals).isPresent())
                .map(Parameter::name)
                .findFirst();
    }

    /**
     * The parameter and all its aliases through obsoletes links, in both directions: a required
     * parameter is satisfied by any of them (username or login, ip or ipaddr).
     */
    public Set<String> aliases(String name) {
        Set<String> group = new TreeSet<>();
        Deque<String> todo = new ArrayDeque<>(List.of(name));
        while (!todo.isEmpty()) {
            String n = todo.pop();
            if (!group.add(n)) {
                continue;
            }
            parameter(n).flatMap(Parameter::obsoletes).ifPresent(todo::push);
            replacementOf(n).ifPresent(todo::push);
        }
        return group;
    }

    static AgentMetadata parse(String agent, String xml) throws FenceException {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            // The XML comes from a local program, but there is no reason to allow entities.
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setExpandEntityReferences(false);
            DocumentBuilder b = f.newDocumentBuilder();
            b.setErrorHandler(null);
            Document doc = b.parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
            NodeList nodes = doc.getElementsByTagName("parameter");
            List<Parameter> params = new ArrayList<>();
            for (int i = 0; i < nodes.getLength(); i++) {
                Element p = (Element) nodes.item(i);
                String name = p.getAttribute("name");
                if (name.isEmpty()) {
                    continue;
                }
                NodeList content = p.getElementsByTagName("content");
                String type = content.getLength() > 0
                        ? ((Element) content.item(0)).getAttribute("type") : "string";
                String obsoletes = p.getAttribute("obsoletes");
                params.add(new Parameter(name, "1".equals(p.getAttribute("required")), type,
                        "1".equals(p.getAttribute("deprecated")),
                        obsoletes.isEmpty() ? Optional.empty() : Optional.of(obsoletes)));
            }
            if (params.isEmpty()) {
                throw new FenceException("metadata of " + agent + " lists no parameters");
            }
            return new AgentMetadata(agent, params);
        } catch (FenceException e) {
            throw e;
        } catch (Exception e) {
            throw new FenceException("cannot parse metadata of " + agent + ": " + e.getMessage(), e);
        }
    }
}
