using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Company.Starter.Data.Security.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class ClaimPasskeyCeremoniesByChallenge : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "used_passkey_ceremonies");

            migrationBuilder.CreateTable(
                name: "passkey_challenges",
                columns: table => new
                {
                    challenge_hash = table.Column<byte[]>(type: "bytea", maxLength: 32, nullable: false),
                    expires_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_passkey_challenges", x => x.challenge_hash);
                });

            migrationBuilder.CreateIndex(
                name: "ix_passkey_challenges_expires_at",
                table: "passkey_challenges",
                column: "expires_at");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "passkey_challenges");

            migrationBuilder.CreateTable(
                name: "used_passkey_ceremonies",
                columns: table => new
                {
                    state_hash = table.Column<byte[]>(type: "bytea", maxLength: 32, nullable: false),
                    answered_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_used_passkey_ceremonies", x => x.state_hash);
                });

            migrationBuilder.CreateIndex(
                name: "ix_used_passkey_ceremonies_answered_at",
                table: "used_passkey_ceremonies",
                column: "answered_at");
        }
    }
}
