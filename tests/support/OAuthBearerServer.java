// Kafka's own OAUTHBEARER server side (OAuthBearerSaslServer with the unsecured JWT validator a
// broker uses in tests), driven over stdin/stdout so tests/oauthbearer_kafka.rs can run our
// client exchange against it. One line in: base64 of a client message. One line out:
//   CHALLENGE <base64>            the server's answer (the JSON error on a bad token)
//   COMPLETE <principal> [k=v]*   authenticated; the negotiated values of the extensions named
//                                 on the command line
// After COMPLETE or FAIL the next line starts a new authentication.
//   FAIL <message>                the server failed the authentication (SaslAuthenticationException)
// Run: java -cp 'broker/lib/*' tests/support/OAuthBearerServer.java [EXTENSION_NAME...]
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import javax.security.auth.login.AppConfigurationEntry;
import org.apache.kafka.common.security.oauthbearer.internals.OAuthBearerSaslServer;
import org.apache.kafka.common.security.oauthbearer.internals.unsecured.OAuthBearerUnsecuredValidatorCallbackHandler;

public class OAuthBearerServer {
    public static void main(String[] args) throws Exception {
        OAuthBearerUnsecuredValidatorCallbackHandler handler = new OAuthBearerUnsecuredValidatorCallbackHandler();
        AppConfigurationEntry entry = new AppConfigurationEntry(
                "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule",
                AppConfigurationEntry.LoginModuleControlFlag.REQUIRED,
                Collections.emptyMap());
        handler.configure(Collections.emptyMap(), "OAUTHBEARER", List.of(entry));
        OAuthBearerSaslServer server = new OAuthBearerSaslServer(handler);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        String line;
        while ((line = in.readLine()) != null) {
            byte[] message = Base64.getDecoder().decode(line.trim());
            try {
                byte[] answer = server.evaluateResponse(message);
                if (server.isComplete()) {
                    StringBuilder out = new StringBuilder("COMPLETE ").append(server.getAuthorizationID());
                    for (String name : args) {
                        out.append(' ').append(name).append('=').append(server.getNegotiatedProperty(name));
                    }
                    System.out.println(out);
                    server = new OAuthBearerSaslServer(handler);
                } else {
                    System.out.println("CHALLENGE " + Base64.getEncoder().encodeToString(answer));
                }
            } catch (Exception e) {
                System.out.println("FAIL " + e.getMessage());
                server = new OAuthBearerSaslServer(handler);
            }
            System.out.flush();
        }
    }
}
