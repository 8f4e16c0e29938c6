package org.streamdistill.schemas.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class BasicCredentialsTest {

  @Test
  void shouldSplitUserInfoAtTheFirstColonSoPasswordsMayHoldColons() {
    BasicCredentials credentials = BasicCredentials.parse("alice:pa:ss:word");

    assertThat(credentials.user()).isEqualTo("alice");
    assertThat(credentials.password()).isEqualTo("pa:ss:word");
  }

  @Test
  void shouldRefuseMalformedUserInfoWithoutEchoingIt() {
    assertThatThrownBy(() -> BasicCredentials.parse("alice-s3cret"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("expected user:password, got a value without ':'");
    assertThatThrownBy(() -> BasicCredentials.parse(":s3cret"))
        .hasMessage("the user name must be given and hold no ':'");
    assertThatThrownBy(() -> BasicCredentials.parse("alice:"))
        .hasMessage("the password of user 'alice' is empty");
    assertThatThrownBy(() -> BasicCredentials.parse(null)).hasMessage("expected user:password, got nothing");
  }

  @Test
  void shouldBuildTheBasicHeaderAndReadItBack() {
    BasicCredentials credentials = BasicCredentials.parse("alice:s3cret");

    String header = credentials.authorizationHeader();

    assertThat(header).isEqualTo("Basic " + Base64.getEncoder()
        .encodeToString("alice:s3cret".getBytes(StandardCharsets.UTF_8)));
    assertThat(BasicCredentials.fromAuthorizationHeader(header)).isEqualTo(credentials);
    assertThat(BasicCredentials.fromAuthorizationHeader("basic " + header.substring(6))).isEqualTo(credentials);
  }

  @Test
  void shouldReadNothingFromMissingMalformedOrOtherSchemeHeaders() {
    assertThat(BasicCredentials.fromAuthorizationHeader(null)).isNull();
    assertThat(BasicCredentials.fromAuthorizationHeader("Bearer abc")).isNull();
    assertThat(BasicCredentials.fromAuthorizationHeader("Basic !!not-base64!!")).isNull();
    assertThat(BasicCredentials.fromAuthorizationHeader("Basic " + Base64.getEncoder()
        .encodeToString("no-colon".getBytes(StandardCharsets.UTF_8)))).isNull();
  }

  @Test
  void shouldNameTheUserButNeverThePasswordInToString() {
    assertThat(BasicCredentials.parse("alice:s3cret").toString())
        .isEqualTo("BasicCredentials[user=alice, password=[hidden]]");
  }
}
