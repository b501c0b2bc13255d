package palisade.fencing;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
     * (ip obsoletes ipaddr); the older one is then marked {@code deprecated}. {@code placeholder} is
     * the value's name in the agent's usage ({@code --password=[password]} gives "password"), and
     * {@code description} its short description: both tell whether the value is a secret.
     */
    public record Parameter(String name, boolean required, String type, boolean deprecated,
            Optional<String> obsoletes, String placeholder, String description) {

        /**
         * Does the metadata mark this parameter's value as a secret? Only a free-text value can be one
         * (booleans such as {@code use_sudo} "without password" and choices such as {@code auth} are not);
         * then its name, its usage placeholder or its description must say password, passphrase, secret,
         * token or key in a way that means a credential.
         */
        boolean marksSecret() {
            if (!type.equals("string") && !type.isEmpty()) {
                return false;
            }
            return Secrets.isSecret(name) || SECRET_PLACEHOLDERS.contains(placeholder.toLowerCase(Locale.ROOT))
                    || SECRET_DESCRIPTION.matcher(description).find();
        }
    }

    /** Usage placeholders of credentials in the agents' metadata ({@code [key]} is not one: fence_scsi's plug). */
    private static final Set<String> SECRET_PLACEHOLDERS = Set.of("password", "pass", "passwd", "authkey", "token",
            "secret");

    /** Descriptions of credentials: "Login password or passphrase", "Secret Key.", "API Token", "Kg key". */
    private static final Pattern SECRET_DESCRIPTION = Pattern.compile(
            "(?i)\\b(password|passphrase|passwd|secret|api token|api key|access key|authentication key|kg key)\\b");

    public AgentMetadata {
        parameters = List.copyOf(parameters);
    }

    public Optional<Parameter> parameter(String name) {
        return parameters.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    /**
     * The parameters whose values are secrets: the ones the metadata marks (see {@link Parameter#marksSecret()}),
     * and every alias of one through obsoletes links (passwd of password, passwd_script of password_script).
     */
    public Set<String> secretNames() {
        Set<String> out = new TreeSet<>();
        for (Parameter p : parameters) {
            if (p.marksSecret()) {
                out.addAll(aliases(p.name()));
            }
        }
        return out;
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

    /** {@code --password=[password]} gives "password"; no placeholder gives "". */
    private static String placeholder(Element p) {
        NodeList getopt = p.getElementsByTagName("getopt");
        if (getopt.getLength() == 0) {
            return "";
        }
        Matcher m = PLACEHOLDER.matcher(((Element) getopt.item(0)).getAttribute("mixed"));
        return m.find() ? m.group(1) : "";
    }

    private static final Pattern PLACEHOLDER = Pattern.compile("\\[([^\\]]*)\\]");

    private static String text(Element p, String tag) {
        NodeList n = p.getElementsByTagName(tag);
        return n.getLength() == 0 ? "" : n.item(0).getTextContent().strip();
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
                        obsoletes.isEmpty() ? Optional.empty() : Optional.of(obsoletes),
                        placeholder(p), text(p, "shortdesc")));
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
