import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.auth.login.AppConfigurationEntry;
import org.apache.kafka.common.security.auth.AuthenticateCallbackHandler;
import org.apache.kafka.common.security.oauthbearer.OAuthBearerExtensionsValidatorCallback;
import org.apache.kafka.common.security.oauthbearer.OAuthBearerToken;
import org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local broker's side of MSK IAM authentication: validates the SASL/OAUTHBEARER token the MSK IAM
 * signer (aws-msk-iam-sasl-signer-js) sends, and names the client by the token's access key.
 *
 * The token is the base64url of a SigV4-presigned URL for the action kafka-cluster:Connect
 * (https://kafka.<region>.amazonaws.com/?Action=kafka-cluster%3AConnect&X-Amz-Credential=<key>/<date>/<region>/kafka-cluster/aws4_request&X-Amz-Date=...&X-Amz-Expires=...).
 * Each local function signs with its own access key, LOCALFN<function id> (the local AWS gateway
 * tells functions apart by the same key), so the principal is User:<function id>, which the ACLs
 * derived from the function's role name. Checked: the action, the signing service, the key's form and
 * the expiry. Not checked: the signature (every local function shares one secret key, so it would
 * prove nothing about who signed).
 *
 * kafka-cluster:Connect is not an ACL: a principal may connect only when its role allows it, which
 * the runner writes, one principal a line, to the file named by the system property
 * local.kafka.connect (read again on every connection). A refused connection is logged on the
 * authorizer's logger, next to the ACL denials.
 *
 * kafka-broker.ts compiles it once into a jar under .cache/ and puts it on the broker's class path.
 */
public class LocalMskIamCallbackHandler implements AuthenticateCallbackHandler {
  private static final String KEY_PREFIX = "LOCALFN";
  private static final Logger AUDIT = LoggerFactory.getLogger("kafka.authorizer.logger");
  private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");

  @Override
  public void configure(Map<String, ?> configs, String saslMechanism, List<AppConfigurationEntry> jaasConfigEntries) {}

  @Override
  public void close() {}

  @Override
  public void handle(Callback[] callbacks) throws UnsupportedCallbackException {
    for (Callback callback : callbacks) {
      if (callback instanceof OAuthBearerValidatorCallback) {
        validate((OAuthBearerValidatorCallback) callback);
      } else if (callback instanceof OAuthBearerExtensionsValidatorCallback) {
        OAuthBearerExtensionsValidatorCallback extensions = (OAuthBearerExtensionsValidatorCallback) callback;
        for (String name : extensions.inputExtensions().map().keySet()) extensions.valid(name);
      } else {
        throw new UnsupportedCallbackException(callback);
      }
    }
  }

  private static void validate(OAuthBearerValidatorCallback callback) {
    final Map<String, String> query;
    try {
      String url = new String(Base64.getUrlDecoder().decode(callback.tokenValue()), StandardCharsets.UTF_8);
      int start = url.indexOf('?');
      if (start < 0) throw new IllegalArgumentException("no query");
      query = parseQuery(url.substring(start + 1));
    } catch (RuntimeException e) {
      callback.error("invalid_token", null, null);
      return;
    }
    String credential = query.getOrDefault("X-Amz-Credential", "");
    String[] scope = credential.split("/");
    if (!"kafka-cluster:Connect".equals(query.get("Action"))
        || scope.length != 5
        || !"kafka-cluster".equals(scope[3])
        || !scope[0].startsWith(KEY_PREFIX)
        || scope[0].length() == KEY_PREFIX.length()) {
      callback.error("invalid_token", null, null);
      return;
    }
    final long issuedAt;
    final long lifetime;
    try {
      issuedAt = LocalDateTime.parse(query.get("X-Amz-Date"), AMZ_DATE).toInstant(ZoneOffset.UTC).toEpochMilli();
      lifetime = issuedAt + Long.parseLong(query.get("X-Amz-Expires")) * 1000L;
    } catch (RuntimeException e) {
      callback.error("invalid_token", null, null);
      return;
    }
    if (lifetime < System.currentTimeMillis()) {
      callback.error("invalid_token", null, null);
      return;
    }
    String principal = scope[0].substring(KEY_PREFIX.length());
    if (!mayConnect(principal)) {
      AUDIT.info(
          "Principal = User:{} is Denied operation = Connect from host = 127.0.0.1 on resource = Cluster:LITERAL:kafka-cluster for request = SaslAuthenticate (no kafka-cluster:Connect)",
          principal);
      callback.error("invalid_token", null, null);
      return;
    }
    String value = callback.tokenValue();
    callback.token(
        new OAuthBearerToken() {
          @Override
          public String value() {
            return value;
          }

          @Override
          public Set<String> scope() {
            return Collections.emptySet();
          }

          @Override
          public long lifetimeMs() {
            return lifetime;
          }

          @Override
          public String principalName() {
            return principal;
          }

          @Override
          public Long startTimeMs() {
            return issuedAt;
          }
        });
  }

  private static boolean mayConnect(String principal) {
    String file = System.getProperty("local.kafka.connect");
    if (file == null) return false;
    try {
      return Files.readAllLines(Path.of(file), StandardCharsets.UTF_8).contains("User:" + principal);
    } catch (NoSuchFileException e) {
      return false;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Map<String, String> parseQuery(String query) {
    Map<String, String> result = new HashMap<>();
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      String name = eq < 0 ? pair : pair.substring(0, eq);
      String value = eq < 0 ? "" : pair.substring(eq + 1);
      result.put(URLDecoder.decode(name, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8));
    }
    return result;
  }
}
