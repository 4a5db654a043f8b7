using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Company.Starter.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ScopeIdempotencyKeysByCaller : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropPrimaryKey(
                name: "pk_idempotency_records",
                table: "idempotency_records");

            migrationBuilder.AddColumn<string>(
                name: "scope",
                table: "idempotency_records",
                type: "TEXT",
                maxLength: 512,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddPrimaryKey(
                name: "pk_idempotency_records",
                table: "idempotency_records",
                columns: new[] { "scope", "key" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropPrimaryKey(
                name: "pk_idempotency_records",
                table: "idempotency_records");

            migrationBuilder.DropColumn(
                name: "scope",
                table: "idempotency_records");

            migrationBuilder.AddPrimaryKey(
                name: "pk_idempotency_records",
                table: "idempotency_records",
                column: "key");
        }
    }
}
