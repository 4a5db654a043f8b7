using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Company.Starter.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AddProductOwner : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "owner_id",
                table: "products",
                type: "TEXT",
                maxLength: 450,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "ix_products_owner_id",
                table: "products",
                column: "owner_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_products_owner_id",
                table: "products");

            migrationBuilder.DropColumn(
                name: "owner_id",
                table: "products");
        }
    }
}
