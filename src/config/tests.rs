use std::time::Duration;

use super::secret::tests::FakeEnv;
use super::*;

const PROFILES: &str = r#"
default = "prod"

[clusters.prod]
brokers = "b1:9093,b2:9093"
security.protocol = "SASL_SSL"
sasl.mechanisms = "SCRAM-SHA-512"
sasl.username = "alice"
sasl.password = "env:PROD_PW"
ssl.ca.location = "~/certs/ca.pem"
group.id = "ignored"

[clusters.dev]
brokers = "localhost:9092"
client.id = "dev-kbrowse"
"#;

/// A config home holding `PROFILES`, and an environment pointing at it.
fn home(extra: &[(&str, &str)]) -> (tempfile::TempDir, FakeEnv) {
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("kbrowse");
    std::fs::create_dir_all(&conf).unwrap();
    std::fs::write(conf.join("config.toml"), PROFILES).unwrap();
    let d = dir.path().to_str().unwrap();
    let mut vars = vec![
        ("XDG_CONFIG_HOME", d),
        ("HOME", "/home/a"),
        ("PROD_PW", "pw"),
    ];
    vars.extend_from_slice(extra);
    let env = FakeEnv::of(&vars);
    (dir, env)
}

fn names(s: &Settings) -> Vec<(&str, &str, String)> {
    s.properties
        .iter()
        .map(|p| (p.name, p.value.as_str(), p.source.to_string()))
        .collect()
}

#[test]
fn the_default_profile_applies_when_nothing_else_names_brokers() {
    let (dir, env) = home(&[]);
    let s = resolve(&Inputs::default(), &env).unwrap();
    let file = dir.path().join("kbrowse/config.toml");
    assert_eq!(s.profile.as_deref(), Some("prod"));
    assert_eq!(s.file, Some((file, true)));
    assert_eq!(
        (s.brokers.as_str(), &s.brokers_source),
        ("b1:9093,b2:9093", &Source::Profile)
    );
    assert_eq!(
        names(&s),
        vec![
            ("security.protocol", "SASL_SSL", "profile".into()),
            ("sasl.mechanism", "SCRAM-SHA-512", "profile".into()),
            ("sasl.username", "alice", "profile".into()),
            ("sasl.password", "pw", "profile".into()),
            ("ssl.ca.location", "/home/a/certs/ca.pem", "profile".into()),
        ]
    );
    assert_eq!(s.properties[3].reference.as_deref(), Some("env:PROD_PW"));
    assert!(s.properties[3].secret);
    assert_eq!(
        s.warnings,
        vec!["warning: ignoring property 'group.id': kbrowse does not use it".to_string()]
    );
    assert_eq!(
        (s.timeout, &s.timeout_source),
        (DEFAULT_TIMEOUT, &Source::Default)
    );

    // -b alone, or KBROWSE_BROKERS, means no profile.
    for inputs in [
        Inputs {
            brokers_flag: Some("h:1".into()),
            ..Inputs::default()
        },
        Inputs {
            brokers_env: Some("h:1".into()),
            ..Inputs::default()
        },
        Inputs {
            properties: vec![("bootstrap.servers".into(), "h:1".into())],
            ..Inputs::default()
        },
    ] {
        let s = resolve(&inputs, &env).unwrap();
        assert_eq!((s.profile, s.brokers.as_str()), (None, "h:1"), "{inputs:?}");
        assert!(s.properties.is_empty());
    }
}

#[test]
fn flags_and_files_override_the_profile_in_order() {
    let (dir, env) = home(&[("KBROWSE_CLUSTER_IGNORED", "x")]);
    let f1 = dir.path().join("one.properties");
    std::fs::write(
        &f1,
        "# from a file\nsasl.username=bob\nsocket.timeout.ms=2500\nclient.id=f1\n",
    )
    .unwrap();
    let f2 = dir.path().join("two.properties");
    std::fs::write(&f2, "client.id=f2\nmetadata.broker.list=f:1\n").unwrap();
    let inputs = Inputs {
        cluster: Some("prod".into()),
        brokers_env: Some("env:1".into()),
        files: vec![f1.clone(), f2.clone()],
        properties: vec![
            ("sasl.mechanism".into(), "PLAIN".into()),
            ("client.id".into(), "x1".into()),
            ("client.id".into(), "x2".into()),
        ],
        ..Inputs::default()
    };
    let s = resolve(&inputs, &env).unwrap();
    let f1s = format!("-F {}", f1.display());
    let f2s = format!("-F {}", f2.display());
    assert_eq!(
        (s.brokers.as_str(), s.brokers_source.to_string()),
        ("f:1", f2s.clone())
    );
    assert_eq!(
        names(&s),
        vec![
            ("security.protocol", "SASL_SSL", "profile".into()),
            ("sasl.mechanism", "PLAIN", "-X".into()),
            ("sasl.username", "bob", f1s.clone()),
            ("sasl.password", "pw", "profile".into()),
            ("ssl.ca.location", "/home/a/certs/ca.pem", "profile".into()),
            ("client.id", "x2", "-X".into()),
        ]
    );
    assert_eq!(
        (s.timeout, s.timeout_source.to_string()),
        (Duration::from_millis(2500), f1s)
    );
    // -b and --timeout beat everything.
    let s = resolve(
        &Inputs {
            brokers_flag: Some("flag:1".into()),
            timeout_secs: Some(3),
            ..inputs.clone()
        },
        &env,
    )
    .unwrap();
    assert_eq!(
        (
            s.brokers.as_str(),
            &s.brokers_source,
            s.timeout,
            &s.timeout_source
        ),
        (
            "flag:1",
            &Source::BrokersFlag,
            Duration::from_secs(3),
            &Source::TimeoutFlag
        )
    );
    // The profile's brokers beat KBROWSE_BROKERS.
    let s = resolve(
        &Inputs {
            cluster: Some("dev".into()),
            brokers_env: Some("env:1".into()),
            ..Inputs::default()
        },
        &env,
    )
    .unwrap();
    assert_eq!(
        (s.profile.as_deref(), s.brokers.as_str()),
        (Some("dev"), "localhost:9092")
    );
    assert_eq!(
        s.pairs(),
        vec![
            ("client.id".to_string(), "dev-kbrowse".to_string()),
            ("socket.timeout.ms".to_string(), "10000".to_string()),
        ]
    );
}

#[test]
fn errors_name_where_the_bad_setting_is() {
    let (dir, env) = home(&[]);
    let file = dir.path().join("kbrowse/config.toml");
    let bad = dir.path().join("bad.properties");
    std::fs::write(&bad, "ok=1\nsasl.usernme=x\n").unwrap();
    let broken = dir.path().join("broken.properties");
    std::fs::write(&broken, "\n\nno equals sign\n").unwrap();
    let x = |k: &str, v: &str| Inputs {
        properties: vec![(k.into(), v.into())],
        cluster: Some("dev".into()),
        ..Inputs::default()
    };
    let mut cases: Vec<(Inputs, String)> = vec![
        (
            x("sasl.usernme", "a"),
            "-X: unknown property 'sasl.usernme'; did you mean 'sasl.username'?".into(),
        ),
        (
            Inputs {
                files: vec![bad.clone()],
                ..Inputs::default()
            },
            format!("{} line 1: unknown property 'ok'", bad.display()),
        ),
        (
            Inputs {
                files: vec![broken.clone()],
                ..Inputs::default()
            },
            format!("{} line 3: expected key=value", broken.display()),
        ),
        (
            Inputs {
                files: vec![dir.path().join("missing")],
                ..Inputs::default()
            },
            format!(
                "cannot read -F {}: No such file or directory (os error 2)",
                dir.path().join("missing").display()
            ),
        ),
        (
            x("sasl.password", "env:NOPE"),
            "-X: sasl.password: environment variable NOPE is not set".into(),
        ),
        (
            x("bootstrap.servers", "h:x"),
            "-X: brokers: invalid broker address 'h:x': the port must be a number from 1 to 65535"
                .into(),
        ),
        (
            x("socket.timeout.ms", "0"),
            "invalid socket.timeout.ms '0': expected milliseconds from 10 to 3600000".into(),
        ),
        (
            Inputs {
                cluster: Some("prd".into()),
                ..Inputs::default()
            },
            format!(
                "unknown cluster 'prd'; did you mean 'prod'? (profiles in {}: prod, dev)",
                file.display()
            ),
        ),
        (
            Inputs {
                cluster: Some("prod".into()),
                config: Some(dir.path().join("nope.toml")),
                ..Inputs::default()
            },
            format!(
                "cannot read {}: No such file or directory (os error 2)",
                dir.path().join("nope.toml").display()
            ),
        ),
    ];
    cases.push((
        Inputs {
            files: vec!["/dev/zero".into()],
            ..Inputs::default()
        },
        "cannot read -F /dev/zero: longer than 1024 KiB".into(),
    ));
    cases.push((
        Inputs {
            config: Some("/dev/zero".into()),
            ..Inputs::default()
        },
        "cannot read /dev/zero: longer than 1024 KiB".into(),
    ));
    for (inputs, want) in cases {
        assert_eq!(resolve(&inputs, &env), Err(want), "{inputs:?}");
    }
    let nowhere = FakeEnv::of(&[("XDG_CONFIG_HOME", "/nonexistent")]);
    assert_eq!(
        resolve(
            &Inputs {
                cluster: Some("prod".into()),
                ..Inputs::default()
            },
            &nowhere
        ),
        Err("unknown cluster 'prod' (no profiles file: /nonexistent/kbrowse/config.toml does not exist)".into())
    );
    // A profile with a typo names the file and the profile.
    let typo = dir.path().join("typo.toml");
    std::fs::write(
        &typo,
        "[clusters.a]\nbrokers = \"h:1\"\nsecurity.protocl = \"SSL\"\n",
    )
    .unwrap();
    assert_eq!(
        resolve(
            &Inputs {
                config: Some(typo.clone()),
                cluster: Some("a".into()),
                ..Inputs::default()
            },
            &env
        ),
        Err(format!(
            "{}: cluster 'a': unknown property 'security.protocl'; did you mean 'security.protocol'?",
            typo.display()
        ))
    );
}

#[test]
fn describe_masks_secrets_and_names_sources() {
    let (dir, env) = home(&[]);
    let s = resolve(
        &Inputs {
            properties: vec![
                ("ssl.key.password".into(), "cmd:echo kp".into()),
                // Read by the client at every authentication, so passed on as written.
                (
                    "sasl.oauthbearer.token".into(),
                    "file:/nonexistent/token".into(),
                ),
            ],
            ..Inputs::default()
        },
        &env,
    )
    .unwrap();
    let file = dir.path().join("kbrowse/config.toml");
    assert_eq!(
        s.describe(),
        format!(
            "profile: prod\n\
             profiles file: {}\n\
             brokers = b1:9093,b2:9093  (profile)\n\
             security.protocol = SASL_SSL  (profile)\n\
             sasl.mechanism = SCRAM-SHA-512  (profile)\n\
             sasl.username = alice  (profile)\n\
             sasl.password = ********  (profile, env:PROD_PW)\n\
             sasl.oauthbearer.token = ********  (-X, file:/nonexistent/token)\n\
             ssl.ca.location = /home/a/certs/ca.pem  (profile)\n\
             ssl.key.password = ********  (-X, cmd:echo kp)\n\
             socket.timeout.ms = 10000  (default)\n",
            file.display()
        )
    );
    assert!(
        s.pairs()
            .contains(&("ssl.key.password".into(), "kp".into()))
    );
    let none = resolve(
        &Inputs::default(),
        &FakeEnv::of(&[("HOME", "/nonexistent")]),
    )
    .unwrap();
    assert_eq!(
        none.describe(),
        "profile: none\n\
         profiles file: /nonexistent/.config/kbrowse/config.toml (not found)\n\
         brokers = localhost:9092  (default)\n\
         socket.timeout.ms = 10000  (default)\n"
    );
}

#[test]
fn the_client_config_refuses_what_it_cannot_apply_yet() {
    let env = FakeEnv::of(&[]);
    let with = |props: &[(&str, &str)]| {
        resolve(
            &Inputs {
                brokers_flag: Some("h:1".into()),
                timeout_secs: Some(4),
                properties: props
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
                ..Inputs::default()
            },
            &env,
        )
        .unwrap()
        .client_config()
        .map(|c| (c.bootstrap, c.conn.request_timeout))
    };
    assert_eq!(
        with(&[("security.protocol", "PLAINTEXT"), ("client.id", "x")]),
        Ok((vec!["h:1".to_string()], Duration::from_secs(4)))
    );
    assert_eq!(
        with(&[("sasl.username", "a")]),
        Err(
            "sasl.username needs security.protocol=sasl_ssl or sasl_plaintext (it is plaintext)"
                .into()
        )
    );
}

#[test]
fn without_a_default_one_profile_applies_and_several_are_choices() {
    let dir = tempfile::tempdir().unwrap();
    let one = dir.path().join("one.toml");
    std::fs::write(&one, "[clusters.only]\nbrokers = \"o:1\"\n").unwrap();
    let two = dir.path().join("two.toml");
    std::fs::write(
        &two,
        "[clusters.a]\nbrokers = \"a:1\"\n[clusters.b]\nbootstrap.servers = \"env:B\"\n",
    )
    .unwrap();
    let env = FakeEnv::of(&[]);
    let with = |file: &std::path::Path, cluster: Option<&str>| {
        resolve(
            &Inputs {
                config: Some(file.to_path_buf()),
                cluster: cluster.map(String::from),
                ..Inputs::default()
            },
            &env,
        )
        .unwrap()
    };
    let s = with(&one, None);
    assert_eq!(
        (s.profile.as_deref(), s.brokers.as_str(), s.pick),
        (Some("only"), "o:1", false)
    );
    let s = with(&two, None);
    assert_eq!(
        (s.profile, s.brokers.as_str(), s.pick, s.profiles),
        (
            None,
            DEFAULT_BROKERS,
            true,
            vec![
                ("a".to_string(), "a:1".to_string()),
                ("b".to_string(), "env:B".to_string())
            ]
        )
    );
    let s = with(&two, Some("a"));
    assert_eq!(
        (s.profile.as_deref(), s.pick, s.profiles.len()),
        (Some("a"), false, 2)
    );
}

#[test]
fn schema_registry_properties_and_topic_formats_resolve_into_schema_settings() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("c.toml");
    std::fs::write(
        &file,
        r#"
[clusters.prod]
brokers = "b:9093"
schema.registry.url = "https://sr-user:sr-pass@registry:8081"
schema.registry.bearer.auth.token = "env:SR_TOKEN"
schema.registry.ssl.ca.location = "~/ca.pem"
[clusters.prod.topics."payments.*"]
value.format = "protobuf:pay.Payment"
key.format = "string"
"#,
    )
    .unwrap();
    let env = FakeEnv::of(&[("HOME", "/home/a"), ("SR_TOKEN", "tok")]);
    let inputs = Inputs {
        config: Some(file.clone()),
        cluster: Some("prod".into()),
        properties: vec![
            ("schema.registry.basic.auth.user.info".into(), "u:p".into()),
            (
                "schema.registry.ssl.certificate.location".into(),
                "~/c.pem".into(),
            ),
            ("schema.registry.ssl.key.location".into(), "/k.pem".into()),
        ],
        ..Inputs::default()
    };
    let s = resolve(&inputs, &env).unwrap();
    // The registry's properties configure the registry, not the Kafka client.
    assert!(s.pairs().iter().all(|(k, _)| !k.starts_with("schema.")));
    assert!(s.client_config().is_ok());
    assert_eq!(
        s.describe(),
        format!(
            "profile: prod\nprofiles file: {}\nbrokers = b:9093  (profile)\n\
             schema.registry.url = https://********@registry:8081  (profile)\n\
             schema.registry.basic.auth.user.info = ********  (-X)\n\
             schema.registry.bearer.auth.token = ********  (profile, env:SR_TOKEN)\n\
             schema.registry.ssl.ca.location = /home/a/ca.pem  (profile)\n\
             schema.registry.ssl.certificate.location = /home/a/c.pem  (-X)\n\
             schema.registry.ssl.key.location = /k.pem  (-X)\n\
             socket.timeout.ms = 10000  (default)\n\
             topics.\"payments.*\".key.format = string  (profile)\n\
             topics.\"payments.*\".value.format = protobuf:pay.Payment  (profile)\n",
            file.display()
        )
    );
    let schema = s.schema(&SchemaFlags::default()).unwrap();
    let r = schema.registry.clone().unwrap();
    assert_eq!(r.url, "https://sr-user:sr-pass@registry:8081");
    assert_eq!(r.user_info.as_deref(), Some("u:p"));
    assert_eq!(r.bearer_token.as_deref(), Some("tok"));
    assert_eq!(r.ca_location.as_deref(), Some("/home/a/ca.pem"));
    assert_eq!(r.certificate_location.as_deref(), Some("/home/a/c.pem"));
    assert_eq!(r.key_location.as_deref(), Some("/k.pem"));
    assert_eq!(r.timeout, DEFAULT_TIMEOUT);
    use crate::schema::FormatSpec;
    assert_eq!(
        schema.formats("payments.eu"),
        (
            FormatSpec::String,
            FormatSpec::ProtobufMessage("pay.Payment".into())
        )
    );
    assert_eq!(
        schema.formats("orders"),
        (FormatSpec::Auto, FormatSpec::Auto)
    );
    // -r wins over schema.registry.url; -s over the topic's formats.
    let flags = SchemaFlags {
        registry: Some("http://other:1".into()),
        value: Some(FormatSpec::Avro),
        ..SchemaFlags::default()
    };
    let schema = s.schema(&flags).unwrap();
    assert_eq!(schema.registry.as_ref().unwrap().url, "http://other:1");
    assert_eq!(
        schema.formats("payments.eu"),
        (FormatSpec::String, FormatSpec::Avro)
    );
    // A secret that cannot be read names the property and the reference.
    let env = FakeEnv::of(&[("HOME", "/home/a")]);
    assert_eq!(
        resolve(&inputs, &env).unwrap_err(),
        format!(
            "{}: cluster 'prod': schema.registry.bearer.auth.token: environment variable SR_TOKEN is not set",
            file.display()
        )
    );
}
