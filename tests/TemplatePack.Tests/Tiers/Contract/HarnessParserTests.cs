using TemplatePack.Tests.Infrastructure;
using TemplatePack.Tests.Templates;

namespace TemplatePack.Tests.Tiers.Contract;

/// <summary>
/// The README table parser and the snapshot diff are what the contract and snapshot tiers stand on; these
/// pin their behaviour on fixed input so a parser bug cannot turn a real mismatch into a pass.
/// </summary>
[Trait("Tier", "contract")]
public sealed class HarnessParserTests
{
    private const string Readme =
        """
        # Pack

        ### fullstack-databases

        Some text.

        | Option | Choices | Default | Description |
        |---|---|---|---|
        | `--database` | `postgres`, `sqlite` | `postgres` | Database provider. |
        | `--cache` | `redis` / `none` | — (follows `--database`) | Read cache. |
        | `--no-restore`, `-s` | | `false` | Skip restore. |

        | --not-this-table | a | a | second table is ignored |

        ## Other
        | `--stray` | x | x | belongs to another section |
        """;

    [Fact]
    public void Readme_table_parser_reads_the_documented_format()
    {
        var rows = ReadmeOptionTables.Find(Readme, "fullstack-databases");

        Assert.NotNull(rows);
        Assert.Equal(["--database", "--cache", "--no-restore"], rows.Select(r => r.Option));
        Assert.True(rows[0].Choices.SetEquals(["postgres", "sqlite"]));
        Assert.True(rows[1].Choices.SetEquals(["redis", "none"]));
        Assert.Equal("postgres", rows[0].Default);
        Assert.Empty(rows[2].Choices);
        Assert.Null(ReadmeOptionTables.Find(Readme, "fullstack-mvp"));
    }

    [Fact]
    public void Snapshot_diff_names_the_first_differing_file_and_line()
    {
        var verified = "===== a.txt =====\none\n===== b.txt =====\nsame\nold\n";
        var received = "===== a.txt =====\none\n===== b.txt =====\nsame\nnew\n";

        var difference = SnapshotComparison.FirstDifference(verified, received);

        Assert.NotNull(difference);
        Assert.StartsWith("b.txt: line 2", difference, StringComparison.Ordinal);
        Assert.Contains("received: new", difference, StringComparison.Ordinal);
        Assert.Null(SnapshotComparison.FirstDifference(verified.Replace("\n", "\r\n"), verified));
        Assert.Contains("not in the verified snapshot", SnapshotComparison.FirstDifference("", received), StringComparison.Ordinal);
    }

    [Fact]
    public void Snapshot_keeps_wiring_files_as_text_and_hashes_the_rest_after_normalising_line_ends()
    {
        var root = Directory.CreateTempSubdirectory("snapshot-render-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(root, "Program.cs"), "x\r\ny");
            File.WriteAllText(Path.Combine(root, "b.txt"), "x\r\ny");
            File.WriteAllText(Path.Combine(root, "c.txt"), "x\ny");
            File.WriteAllBytes(Path.Combine(root, "a.bin"), [0, 1, 2]);
            Directory.CreateDirectory(Path.Combine(root, "obj"));
            File.WriteAllText(Path.Combine(root, "obj", "ignored.txt"), "build output");

            var rendered = TreeSnapshot.Render(root);

            var hashOfXy = "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("x\ny"u8));
            Assert.Equal(
                "===== Program.cs =====\nx\ny\n" +
                "===== a.bin =====\nsha256:ae4b3280e56e2faf83f414a6e3dabe9d5fbe18976544c05fed121accb85b53fc\n" +
                $"===== b.txt =====\n{hashOfXy}\n" +
                $"===== c.txt =====\n{hashOfXy}\n",
                rendered);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Theory]
    [InlineData("src/Acme.Api/Program.cs", true)]
    [InlineData("src/Acme.AppHost/AppHost.cs", true)]
    [InlineData("Acme.slnx", true)]
    [InlineData("Directory.Packages.props", true)]
    [InlineData("src/Acme.Api/Acme.Api.csproj", true)]
    [InlineData("src/Acme.Api/appsettings.json", true)]
    [InlineData(".github/workflows/ci.yml", true)]
    [InlineData("src/Acme.Api/Products/ProductEndpoints.cs", false)]
    [InlineData("deploy/observability/compose.yaml", false)]
    public void Wiring_files_are_the_ones_where_template_options_meet(string path, bool wiring) =>
        Assert.Equal(wiring, TreeSnapshot.IsWiring(path));
}
