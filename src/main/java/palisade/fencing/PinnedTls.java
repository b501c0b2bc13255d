package palisade.fencing;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * A TLS context that trusts exactly one server certificate, named by the SHA-256 of its DER encoding
 * ({@code ssl_fingerprint: sha256:AB:CD:...}). Most BMCs ship a self-signed certificate: pinning it checks the
 * BMC's identity where {@code ssl_insecure} checks nothing. The pin names one certificate exactly, so neither
 * the host name nor a CA is consulted; a BMC that gets a new certificate must be pinned again.
 */
public final class PinnedTls {

    /** The option naming the pinned certificate. */
    static final String KEY = "ssl_fingerprint";

    private PinnedTls() {
    }

    /** The SHA-256 of a certificate's DER encoding. */
    public static final class Fingerprint {
        private static final String PREFIX = "sha256:";
        private static final Pattern PAIRS = Pattern.compile("(?i)([0-9a-f]{2}:){31}[0-9a-f]{2}");
        private static final Pattern PLAIN = Pattern.compile("(?i)[0-9a-f]{64}");
        private static final int SHOWN_MAX = 120;

        private final byte[] sha256;

        private Fingerprint(byte[] sha256) {
            this.sha256 = sha256.clone();
        }

        /**
         * Parses {@code sha256:AB:CD:...} (32 bytes, colon-separated, as {@code openssl x509 -fingerprint -sha256}
         * prints them) or 64 hex digits, with or without the {@code sha256:} prefix.
         *
         * @param prefix the error prefix naming the device, e.g. "fence device 'bmc2': "
         */
        static Fingerprint parse(String prefix, String value) throws FenceException {
            String v = value == null ? "" : value.strip();
            String hex = v;
            int colon = v.indexOf(':');
            if (colon > 0 && v.substring(0, colon).matches("[A-Za-z0-9-]+")
                    && !v.substring(0, colon).matches("(?i)[0-9a-f]{2}")) {
                String algorithm = v.substring(0, colon + 1).toLowerCase(Locale.ROOT);
                if (!algorithm.equals(PREFIX)) {
                    throw new FenceException(prefix + "option '" + KEY + "' must be a SHA-256 fingerprint"
                            + " (sha256:...), got " + algorithm.substring(0, algorithm.length() - 1));
                }
                hex = v.substring(colon + 1);
            }
            if (PAIRS.matcher(hex).matches()) {
                hex = hex.replace(":", "");
            } else if (!PLAIN.matcher(hex).matches()) {
                String shown = v.length() > SHOWN_MAX ? v.substring(0, SHOWN_MAX) + "..." : v;
                throw new FenceException(prefix + "option '" + KEY + "' must be sha256:XX:XX:... (the 32-byte"
                        + " SHA-256 of the BMC's certificate in hex, colon-separated or not), got '" + shown + "'");
            }
            return new Fingerprint(HexFormat.of().parseHex(hex));
        }

        public static Fingerprint of(X509Certificate cert) throws CertificateEncodingException {
            try {
                return new Fingerprint(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every JDK has SHA-256", e);
            }
        }

        boolean matches(Fingerprint other) {
            return MessageDigest.isEqual(sha256, other.sha256);
        }

        /** {@code sha256:AB:CD:...}, the form the option takes. */
        @Override
        public String toString() {
            return PREFIX + HexFormat.ofDelimiter(":").withUpperCase().formatHex(sha256);
        }
    }

    /** The BMC presented another certificate than the pinned one. */
    static final class Mismatch extends CertificateException {
        private static final long serialVersionUID = 1L;

        Mismatch(Fingerprint presented, Fingerprint pinned) {
            super("the BMC's certificate " + presented + " is not the one pinned by " + KEY + " (" + pinned + ")");
        }
    }

    static SSLContext context(Fingerprint pinned) throws GeneralSecurityException {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] {new Pinned(pinned)}, new SecureRandom());
        return ctx;
    }

    /** Extended variant, so that the JDK leaves the server check to it alone (no host-name check on top). */
    private static final class Pinned extends X509ExtendedTrustManager {
        private final Fingerprint pinned;

        Pinned(Fingerprint pinned) {
            this.pinned = pinned;
        }

        private void check(X509Certificate[] chain) throws CertificateException {
            if (chain == null || chain.length == 0) {
                throw new CertificateException("the BMC presented no certificate");
            }
            Fingerprint presented = Fingerprint.of(chain[0]);
            if (!presented.matches(pinned)) {
                throw new Mismatch(presented, pinned);
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            check(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            check(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            check(chain);
        }

        // A fence client never accepts client certificates.
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("not a server");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            throw new CertificateException("not a server");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            throw new CertificateException("not a server");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
