enum ListsExt {
    static var functions: [CELFunction] { [] }
}
