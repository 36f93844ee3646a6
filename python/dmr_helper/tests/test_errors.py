import unittest

from dmr_helper.errors import describe, sqlstate_of


class PsycopgLike(Exception):
    """Errors as the drivers shape them: psycopg 2 has pgcode, psycopg 3 sqlstate and diag."""

    def __init__(self, message, **attributes):
        super().__init__(message)
        for name, value in attributes.items():
            setattr(self, name, value)


class Diag:
    sqlstate = "55P03"


class UnprintableError(Exception):
    def __str__(self):
        raise RuntimeError("cannot print")


class DescribeTest(unittest.TestCase):
    def test_plain_exception(self):
        self.assertEqual(
            describe(ValueError("boom"), statement="SELECT 1", operation_index=2),
            {"exception": "ValueError", "message": "boom", "sqlstate": None, "statement": "SELECT 1", "operationIndex": 2},
        )

    def test_empty_message_is_the_class_name(self):
        self.assertEqual(describe(KeyError())["message"], "KeyError")
        self.assertEqual(describe(RuntimeError("   "))["message"], "RuntimeError")

    def test_message_whose_str_fails_is_the_class_name(self):
        self.assertEqual(describe(UnprintableError())["message"], "UnprintableError")

    def test_blank_lines_dropped_and_length_capped(self):
        message = describe(Exception('column "note" contains null values\n\n   \nCONTEXT: x'))["message"]
        self.assertEqual(message, 'column "note" contains null values\nCONTEXT: x')
        self.assertEqual(len(describe(Exception("x" * 5000))["message"]), 2000)

    def test_sqlstate_from_each_driver_shape(self):
        self.assertEqual(sqlstate_of(PsycopgLike("x", pgcode="23502")), "23502")
        self.assertEqual(sqlstate_of(PsycopgLike("x", sqlstate="42P07")), "42P07")
        self.assertEqual(sqlstate_of(PsycopgLike("x", diag=Diag())), "55P03")
        self.assertIsNone(sqlstate_of(ValueError("x")))

    def test_sqlstate_of_the_driver_error_django_wraps(self):
        try:
            try:
                raise PsycopgLike("duplicate key", pgcode="23505")
            except PsycopgLike as driver_error:
                raise RuntimeError("IntegrityError") from driver_error
        except RuntimeError as wrapped:
            self.assertEqual(describe(wrapped)["sqlstate"], "23505")


if __name__ == "__main__":
    unittest.main()
