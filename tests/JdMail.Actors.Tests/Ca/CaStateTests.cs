using JdMail.Actors.Ca;
using JdMail.Pki;

namespace JdMail.Actors.Tests.Ca;

/// <summary>The CA's pure decisions, without actors, files or crypto.</summary>
public sealed class CaStateTests
{
    private static readonly CaSettings Settings = CaSettings.Default;

    private static CaState WithCa(string id = "ca-1", string serial = "aa") => CaState.Empty.Apply(new CaCreated(id, "CN", "", "", "O", "",
        "Root", "", "ec256", 10000, "", "CN=Root", serial, 0, 2_000_000_000, "00", false, "", 1));

    private static CertificateIssued Issued(string id, string serial, string kind = CaKinds.Server, string issuer = "ca-1") =>
        new(id, kind, "", "", "", "", "", id + ".example.test", kind == CaKinds.Client ? "a@b.test" : "", id + ".example.test",
            "ec256", 397, "", "CN=" + id, "CN=Root", issuer, serial, 0, 2_000_000_000, "11", "", 2);

    [Fact]
    public void Issuing_without_a_ca_is_rejected_and_a_second_ca_needs_the_replace_flag()
    {
        Assert.Equal(CaCodes.NoCa, CaState.Empty.Process(new IssueServerCertificate(new CertificateForm("x.test")), Settings).Rejection!.Code);
        var s = WithCa();
        Assert.Equal(CaCodes.Exists, s.Process(new CreateCa(new CertificateForm("Root 2")), Settings).Rejection!.Code);
        var plan = s.Process(new CreateCa(new CertificateForm("Root 2"), Replace: true), Settings).Plan!;
        Assert.Equal("ca-2", plan.Id);
        Assert.Equal(CaState.DefaultCaDays, plan.Days);
    }

    [Fact]
    public void A_reused_serial_or_a_shrinking_crl_number_fails_validation()
    {
        var s = WithCa().Apply(Issued("server-2", "bb")).Apply(new CrlPublished("ca-1", 5, 0, 10, 0, 0));
        Assert.Equal(CaCodes.Exists, s.Validate([Issued("server-3", "bb")])!.Code);
        Assert.Equal(CaCodes.Exists, s.Validate([Issued("server-3", "aa")])!.Code);
        Assert.NotNull(s.Validate([new CrlPublished("ca-1", 5, 0, 10, 0, 0)]));
        Assert.Null(s.Validate([Issued("server-3", "cc"), new CrlPublished("ca-1", 6, 0, 10, 0, 0)]));
    }

    [Fact]
    public void Revocation_survives_deletion_and_the_serial_stays_used()
    {
        var s = WithCa().Apply(Issued("server-2", "bb"))
            .Apply(new CertificateRevoked("server-2", "ca-1", "bb", 1, 5))
            .Apply(new CertificateDeleted("server-2", 6));
        Assert.Null(s.Find("server-2"));
        Assert.Contains(s.Revocations, r => r.Serial == "bb" && r.CaId == "ca-1");
        Assert.Contains("bb", s.Serials);
    }

    [Fact]
    public void Public_items_the_current_ca_and_the_installed_certificate_cannot_be_deleted()
    {
        var s = WithCa().Apply(Issued("server-2", "bb")).Apply(new CertificateInstalled("server-2", "11", 3))
            .Apply(new CertificateRequested("public-3", "", "", "", "", "", "www.test", "", "www.test", "rsa2048", "", "CN=www.test", 4));
        foreach (var id in new[] { "ca-1", "server-2", "public-3" })
            Assert.Equal(CaCodes.Refused, s.Process(new DeleteCertificate(id), Settings).Rejection!.Code);
    }

    [Fact]
    public void The_installed_server_certificate_cannot_be_revoked_until_a_replacement_is_installed()
    {
        var s = WithCa().Apply(Issued("server-2", "bb")).Apply(new CertificateInstalled("server-2", "11", 3));
        var refusal = s.Process(new RevokeCertificate("server-2"), Settings).Rejection!;
        Assert.Equal(CaCodes.Refused, refusal.Code);
        Assert.Contains("install a replacement first", refusal.Message);
        s = s.Apply(Issued("server-4", "dd")).Apply(new CertificateInstalled("server-4", "22", 5));
        Assert.NotNull(s.Process(new RevokeCertificate("server-2"), Settings).Plan);
    }

    [Fact]
    public void Only_certificates_of_a_trusted_private_ca_can_be_revoked()
    {
        var s = WithCa().Apply(Issued("selfsigned-2", "bb", CaKinds.SelfSigned, "")).Apply(Issued("server-3", "cc"));
        Assert.Equal(CaCodes.Refused, s.Process(new RevokeCertificate("selfsigned-2"), Settings).Rejection!.Code);
        Assert.Equal(CaCodes.Refused, s.Process(new RevokeCertificate("ca-1"), Settings).Rejection!.Code);
        Assert.Equal(CaCodes.Invalid, s.Process(new RevokeCertificate("server-3", "bored"), Settings).Rejection!.Code);
        Assert.Equal(RevocationReason.KeyCompromise, s.Process(new RevokeCertificate("server-3", "key-compromise"), Settings).Plan!.Reason);
        Assert.Equal(RevocationReason.Superseded, CaState.ParseReason("4"));
    }

    [Fact]
    public void Earlier_fields_fill_the_form_and_given_fields_win()
    {
        var s = WithCa().Apply(Issued("server-2", "bb"));
        var plan = s.Process(new IssueServerCertificate(new CertificateForm(Organization: "New Org", From: "server-2")), Settings).Plan!;
        Assert.Equal(("server-2.example.test", "New Org", 397), (plan.Form.CommonName, plan.Form.Organization, plan.Days));
        Assert.Equal(["server-2.example.test"], plan.Form.Names);
        Assert.Equal(CaCodes.NotFound, s.Process(new IssueServerCertificate(new CertificateForm(From: "nope")), Settings).Rejection!.Code);
    }

    [Fact]
    public void A_crl_falls_due_when_missing_or_within_the_reissue_margin()
    {
        var s = WithCa();
        Assert.Equal("ca-1", s.DueCrl(100, TimeSpan.FromSeconds(10)));
        s = s.Apply(new CrlPublished("ca-1", 1, 100, 200, 0, 100));
        Assert.Null(s.DueCrl(150, TimeSpan.FromSeconds(10)));
        Assert.Equal(40, s.SecondsUntilCrlDue(150, TimeSpan.FromSeconds(10)));
        Assert.Equal("ca-1", s.DueCrl(190, TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void Snapshot_round_trip_gives_the_same_state()
    {
        var s = WithCa().Apply(Issued("server-2", "bb")).Apply(new CertificateRevoked("server-2", "ca-1", "bb", 1, 5))
            .Apply(new CrlPublished("ca-1", 3, 5, 10, 1, 5)).Apply(new CertificateInstalled("server-2", "11", 6));
        var back = CaSnapshot.From(s).ToState();
        Assert.Equal(s.Items.Values, back.Items.Values);
        Assert.Equal((s.CurrentCaId, s.InstalledId, s.LastCrlNumber, s.Sequence), (back.CurrentCaId, back.InstalledId, back.LastCrlNumber, back.Sequence));
        Assert.Equal(s.Serials.Order(), back.Serials.Order());
        Assert.Equal(s.Revocations, back.Revocations);
        Assert.Equal(s.Crls.Values, back.Crls.Values);
        Assert.Equal(s.TrustedCaIds, back.TrustedCaIds);
    }

    [Fact]
    public void Expiry_of_the_installed_certificate_is_warned_about()
    {
        var s = WithCa().Apply(Issued("server-2", "bb") with { NotAfter = 1000 + 5 * 86400 }).Apply(new CertificateInstalled("server-2", "11", 3));
        Assert.Contains(s.ExpiryWarnings(1000, TimeSpan.FromDays(30)), w => w.Contains("server-2"));
        Assert.Empty(WithCa().ExpiryWarnings(1000, TimeSpan.FromDays(30)));
    }
}
