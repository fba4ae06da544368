enum QuantityLibrary {
    static var functions: [CELFunction] { [] }
}
