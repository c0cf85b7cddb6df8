using Ledger.Domain.Invoicing;
using static Ledger.Domain.Tests.Invoicing.InvoiceExamples;
using static Ledger.Domain.Tests.Invoicing.InvoiceSpecification;

namespace Ledger.Domain.Tests.Invoicing;

public partial class InvoiceDeciderTests
{
    private static InvoiceStamped Stamped(bool reconciled = false) => new(InvoiceId, Stamp, reconciled, T0.AddSeconds(2));

    private static InvoiceContingencyStamped Sealed() => new(InvoiceId, Seal, "the authority is down");

    [Fact]
    public void Given_issued_When_stamp_Then_stamped() => Given(Issued()).When(RecordStamp()).Then(Stamped());

    [Fact]
    public void Given_stamped_When_the_same_stamp_again_Then_nothing_happens() =>
        Given(Issued(), Stamped()).When(RecordStamp()).Then();

    [Fact]
    public void Given_stamped_When_another_stamp_Then_already_stamped() =>
        Given(Issued(), Stamped()).When(RecordStamp(Stamp with { AuthorityId = "OTHER" })).Then("invoice.already_stamped");

    [Fact]
    public void Given_issued_When_contingency_seal_Then_contingency_stamped() =>
        Given(Issued()).When(RecordSeal()).Then(Sealed());

    [Fact]
    public void Given_contingency_When_seal_again_Then_nothing_happens() =>
        Given(Issued(), Sealed()).When(RecordSeal()).Then();

    [Fact]
    public void Given_contingency_When_stamp_Then_stamped_and_reconciled()
    {
        Given(Issued(), Sealed()).When(RecordStamp()).Then(Stamped(reconciled: true));
        var state = (Invoice.Issued)Given(Issued(), Sealed(), Stamped(reconciled: true)).State;
        state.Stamping.ShouldBe(new InvoiceStamping.Stamped(Stamp, Seal));
        state.Status.ShouldBe("stamped");
    }

    [Fact]
    public void Given_stamped_When_contingency_seal_Then_nothing_happens() =>
        Given(Issued(), Stamped()).When(RecordSeal()).Then();

    [Fact]
    public void Given_issued_When_rejected_Then_stamp_rejected_with_the_reason()
    {
        Given(Issued()).When(Reject()).Then(new InvoiceStampRejected(InvoiceId, "CFDI40999", "The receiver's RFC is not registered", T0.AddSeconds(2)));
        ((Invoice.Issued)Given(Issued(), (InvoiceStampRejected)Given(Issued()).When(Reject()).Events[0]).State).Status.ShouldBe("rejected");
    }

    [Fact]
    public void Given_contingency_When_rejected_Then_stamp_rejected() =>
        Given(Issued(), Sealed()).When(Reject()).Events.Single().ShouldBeOfType<InvoiceStampRejected>();

    [Fact]
    public void Given_rejected_When_stamp_Then_stamp_rejected() =>
        Given(Issued(), new InvoiceStampRejected(InvoiceId, "X", "no", T0)).When(RecordStamp()).Then("invoice.stamp_rejected");

    [Fact]
    public void Given_rejected_When_rejected_again_Then_nothing_happens() =>
        Given(Issued(), new InvoiceStampRejected(InvoiceId, "X", "no", T0)).When(Reject()).Then();

    [Fact]
    public void Given_stamped_When_rejected_Then_already_stamped() =>
        Given(Issued(), Stamped()).When(Reject()).Then("invoice.already_stamped");

    [Fact]
    public void Given_nothing_When_stamp_Then_not_found() => Given().When(RecordStamp()).Then("invoice.not_found");

    [Fact]
    public void Given_issued_Then_status_is_issued_and_awaits_the_authority()
    {
        var state = (Invoice.Issued)Given(Issued()).State;
        state.Status.ShouldBe("issued");
        state.Stamping.AwaitsAuthority.ShouldBeTrue();
        ((Invoice.Issued)Given(Issued(), Sealed()).State).Status.ShouldBe("contingency");
    }
}
