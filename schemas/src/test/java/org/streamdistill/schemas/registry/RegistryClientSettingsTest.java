package org.streamdistill.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamdistill.schemas.config.ConfigLoader;
import org.streamdistill.schemas.http.BasicCredentials;
import org.streamdistill.schemas.http.TestCertificates;

class RegistryClientSettingsTest {

  private static final ConfigDef DEFINITION = RegistryClientSettings.define(new ConfigDef());

  private static RegistryClientSettings parse(Map<String, String> settings) {
    return RegistryClientSettings.from(DEFINITION.parse(settings));
  }

  @Test
  void shouldDefaultToThePlainLocalRegistryWithoutCredentials() {
    RegistryClientSettings settings = parse(Map.of());

    assertThat(settings).isEqualTo(RegistryClientSettings.of("http://127.0.0.1:8081"));
    assertThat(settings.credentials()).isNull();
    assertThat(settings.sslContext()).isNull();
  }

  @Test
  void shouldTakeConfluentsUserInfoFromTheEnvironmentAndHideThePassword() {
    ConfigLoader loader = new ConfigLoader(DEFINITION, "STREAMDISTILL", Map.of());

    RegistryClientSettings settings = RegistryClientSettings.from(loader.load(
        java.util.List.of("--schema.registry.url", "http://registry:8081",
            "--schema.registry.basic.auth.credentials.source", "USER_INFO"),
        Map.of("STREAMDISTILL_SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO", "trainer:s3cret:x")));

    assertThat(settings.credentials()).isEqualTo(new BasicCredentials("trainer", "s3cret:x"));
    assertThat(settings.toString()).isEqualTo("RegistryClientSettings[http://registry:8081, user trainer]");
    assertThat(loader.help()).contains("--schema.registry.basic.auth.user.info  [password, default null]")
        .doesNotContain("s3cret");
  }

  @Test
  void shouldNameTheSettingButNotTheValueOfMalformedUserInfo() {
    assertThatThrownBy(() -> parse(Map.of(RegistryClientSettings.USER_INFO, "trainer-s3cret")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("schema.registry.basic.auth.user.info: expected user:password, got a value without ':'");
  }

  @Test
  void shouldRefuseOtherCredentialSourcesAndCredentialsInTheUrl() {
    assertThatThrownBy(() -> parse(Map.of(RegistryClientSettings.CREDENTIALS_SOURCE, "SASL_INHERIT")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("schema.registry.basic.auth.credentials.source");
    assertThatThrownBy(() -> parse(Map.of(RegistryClientSettings.URL, "https://trainer:s3cret@registry:8081")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("schema.registry.url: schema registry URL must not carry user info: give the credentials in "
            + "schema.registry.basic.auth.user.info instead")
        .hasMessageNotContaining("s3cret");
    assertThatThrownBy(() -> parse(Map.of(RegistryClientSettings.URL, "registry:8081")))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("schema.registry.url: ");
  }

  @Test
  void shouldRefuseTrustStoresForAPlainUrlAndNameAMissingStore(@TempDir Path dir) {
    Map<String, String> plain = Map.of(RegistryClientSettings.TRUSTSTORE_LOCATION, dir.resolve("t.p12").toString());
    assertThatThrownBy(() -> parse(plain))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("schema registry TLS settings (schema.registry.ssl.*) are given but the URL "
            + "http://127.0.0.1:8081 is not https://");

    Map<String, String> missing = new HashMap<>(plain);
    missing.put(RegistryClientSettings.URL, "https://registry:8081");
    assertThatThrownBy(() -> parse(missing))
        .isInstanceOf(ConfigException.class)
        .hasMessage("schema.registry.ssl.truststore.location: no such file " + dir.resolve("t.p12"));
  }

  @Test
  void shouldReadTheTrustStoreAtStartAndRefuseAWrongPassword() throws Exception {
    TestCertificates certificates = TestCertificates.shared("server");
    Map<String, String> settings = new HashMap<>(Map.of(RegistryClientSettings.URL, "https://localhost:8081",
        RegistryClientSettings.TRUSTSTORE_LOCATION, certificates.trustStore().toString(),
        RegistryClientSettings.TRUSTSTORE_PASSWORD, certificates.password()));

    RegistryClientSettings parsed = parse(settings);
    assertThat(parsed.sslContext()).isNotNull();
    assertThat(parsed.toString()).isEqualTo("RegistryClientSettings[https://localhost:8081, trust "
        + certificates.trustStore() + "]").doesNotContain(certificates.password());

    settings.put(RegistryClientSettings.TRUSTSTORE_PASSWORD, "wrong-password");
    assertThatThrownBy(() -> parse(settings))
        .isInstanceOf(ConfigException.class)
        .hasMessage("schema.registry.ssl.truststore.location: cannot read PKCS12 store " + certificates.trustStore()
            + ": wrong password, or the file is not a PKCS12 store");
  }

  @Test
  void shouldLoadAClientKeyStoreForMutualTlsAndNameAWrongKeyPassword() throws Exception {
    TestCertificates client = TestCertificates.shared("client");
    Map<String, String> settings = new HashMap<>(Map.of(RegistryClientSettings.URL, "https://localhost:8081",
        RegistryClientSettings.KEYSTORE_LOCATION, client.keyStore().toString(),
        RegistryClientSettings.KEYSTORE_PASSWORD, client.password()));

    assertThat(parse(settings).sslContext()).isNotNull();

    settings.put(RegistryClientSettings.KEY_PASSWORD, "not-the-key-password");
    assertThatThrownBy(() -> parse(settings))
        .isInstanceOf(ConfigException.class)
        .hasMessage("schema.registry.ssl.key.password: cannot read the private key in " + client.keyStore()
            + ": wrong key password");

    settings.remove(RegistryClientSettings.KEY_PASSWORD);
    settings.remove(RegistryClientSettings.KEYSTORE_PASSWORD);
    assertThatThrownBy(() -> parse(settings))
        .isInstanceOf(ConfigException.class)
        .hasMessage("schema.registry.ssl.keystore.password must be set with schema.registry.ssl.keystore.location");
  }
}
